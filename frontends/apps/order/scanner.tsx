// In-app scanning of the display's QR code: the browser's BarcodeDetector where it has one for QR
// codes (Chrome on Android, Safari 17+), else jsQR (Apache-2.0, pure JS) on the camera's frames,
// loaded only then (a chunk of its own: most of the app's weight, needed by few phones).
// The typed code (CodeForm) stays the fallback: a refused camera says why in a sentence.
import type jsQRModule from 'jsqr';
import { useEffect, useRef, useState } from 'preact/hooks';
import { cameraProblem, parseScannedCode } from './scanned-code.js';

type JsQR = typeof jsQRModule.default;

/** jsQR, loaded on first use. It is a UMD bundle marked __esModule: esbuild gives its default
 * export, TypeScript's NodeNext rules see module.exports ({ default }); take the function either way. */
async function loadJsQR(): Promise<JsQR> {
  const module = (await import('jsqr')) as unknown as { default: JsQR | { default?: JsQR } };
  const outer = module.default;
  return typeof outer === 'function' ? outer : outer.default!;
}

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's QR detector, or one made of jsQR reading a canvas. */
async function qrDetector(): Promise<Detector> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (Native && (await Native.getSupportedFormats().catch((): string[] => [])).includes('qr_code'))
    return new Native({ formats: ['qr_code'] });
  const jsQR = await loadJsQR();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  return {
    detect: async (source) => {
      const video = source as HTMLVideoElement;
      if (!video.videoWidth) return [];
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      return found ? [{ rawValue: found.data }] : [];
    },
  };
}

const EVERY_MS = 250;

export function Scanner({ eventId, onCode }: { eventId: string; onCode: (eventId: string, code: string) => void }) {
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string>();
  const video = useRef<HTMLVideoElement>(null);
  // The latest callback, without restarting the camera when the parent renders again.
  const found = useRef(onCode);
  found.current = onCode;

  useEffect(() => {
    if (!open) return;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
    (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia)
          throw Object.assign(new Error('no camera API'), { name: 'NotFoundError' });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        if (stopped) return stop();
        const element = video.current!;
        element.srcObject = stream;
        await element.play();
        const detector = await qrDetector();
        const look = async () => {
          if (stopped) return;
          const [code] = await detector.detect(element).catch(() => []);
          if (code) {
            const scanned = parseScannedCode(code.rawValue, location.href, eventId);
            if (scanned.ok) {
              stop();
              setOpen(false);
              found.current(scanned.eventId, scanned.code);
              return;
            }
            setProblem(scanned.reason);
          }
          timer = setTimeout(() => void look(), EVERY_MS);
        };
        void look();
      } catch (e) {
        stop();
        setProblem(cameraProblem(e));
        setOpen(false);
      }
    })();
    return stop;
  }, [open, eventId]);

  return (
    <div class="scanner stack">
      {open ? (
        <>
          <video ref={video} class="scanner-video" muted playsInline aria-label="The camera, looking for the QR code" />
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Stop scanning
          </button>
        </>
      ) : (
        <button
          type="button"
          onClick={() => {
            setProblem(undefined);
            setOpen(true);
          }}
        >
          Scan the QR code
        </button>
      )}
      {problem && (
        <p class="error" role="alert" data-testid="scan-problem">
          {problem}
        </p>
      )}
    </div>
  );
}
