// The sign-in pages that stand in for Cognito's managed login: plain HTML and CSS, no script.
// Accessible by construction: every input has a label, errors are tied to their field
// (aria-describedby, aria-invalid) and summed up in an alert at the top, focus is visible, text
// contrast is above 7:1, inputs are 16px (no zoom on phones) and the layout is one column.

export interface Field {
  name: 'email' | 'password' | 'code';
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string;
  hint?: string;
  error?: string;
  inputmode?: 'numeric';
  pattern?: string;
  maxlength?: number;
}

export interface FormPage {
  title: string;
  intro?: string;
  /** A message that is not about one field (e.g. "we sent a code"). */
  notice?: string;
  /** An error that is not about one field. */
  error?: string;
  action: string;
  fields: Field[];
  /** Hidden inputs of the main form (a challenge's session). */
  hidden?: Record<string, string>;
  submit: string;
  /** Secondary forms (e.g. "Send a new code") and links under the form. */
  extraForms?: Array<{ action: string; submit: string; hidden: Record<string, string> }>;
  links?: Array<{ href: string; text: string }>;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#f3f1ee}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:1.5rem 1rem}
main{width:100%;max-width:28rem;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
.brand{margin:0 0 .25rem;font-size:.95rem;font-weight:600;color:#5c3d1e;letter-spacing:.02em}
h1{margin:0 0 1rem;font-size:1.6rem;line-height:1.25}
p{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.field{margin-bottom:1.1rem}
.hint{display:block;color:#4a4a4a;font-size:.9rem;margin-bottom:.35rem}
input{width:100%;font:inherit;font-size:1rem;padding:.75rem;border:2px solid #6b6b6b;border-radius:8px;background:#fff;color:#1a1a1a;min-height:48px}
input[aria-invalid=true]{border-color:#b00020}
.error{display:block;color:#b00020;font-weight:600;margin-top:.35rem}
button{width:100%;font:inherit;font-size:1.05rem;font-weight:600;padding:.8rem 1rem;min-height:48px;border:0;border-radius:8px;background:#5c3d1e;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#5c3d1e;border:2px solid #5c3d1e;margin-top:.75rem}
button:hover{background:#432c15}
button.secondary:hover{background:#f3ebe3}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.alert{border-left:6px solid #b00020;background:#fdecee;padding:.75rem 1rem;margin-bottom:1rem;border-radius:4px}
.alert ul{margin:.25rem 0 0;padding-left:1.2rem}
.alert a{color:#7a0016}
.notice{border-left:6px solid #1a5fb4;background:#e8f0fb;padding:.75rem 1rem;margin-bottom:1rem;border-radius:4px}
nav{margin-top:1.25rem;border-top:1px solid #ddd;padding-top:1rem}
nav a{display:inline-block;color:#1a5fb4;font-weight:600;padding:.5rem 0;min-height:44px}
nav ul{list-style:none;margin:0;padding:0}
@media (min-width:700px){body{padding-top:4rem}main{padding:2rem 2.25rem}}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Serverlesspresso</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand">Serverlesspresso</p>
${body}
</main>
</body>
</html>
`;
}

function field(f: Field): string {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return `<div class="field">
<label for="${id}">${escapeHtml(f.label)}</label>
${f.hint ? `<span class="hint" id="${id}-hint">${escapeHtml(f.hint)}</span>` : ''}
<input id="${id}" name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}" required${
    f.value !== undefined ? ` value="${escapeHtml(f.value)}"` : ''
  }${f.inputmode ? ` inputmode="${f.inputmode}"` : ''}${f.pattern ? ` pattern="${f.pattern}"` : ''}${
    f.maxlength ? ` maxlength="${f.maxlength}"` : ''
  }${described ? ` aria-describedby="${described}"` : ''}${f.error ? ' aria-invalid="true"' : ''}>
${f.error ? `<span class="error" id="${id}-error">${escapeHtml(f.error)}</span>` : ''}
</div>`;
}

export function formPage(page: FormPage): string {
  const fieldErrors = page.fields.filter((f) => f.error);
  const problems = [
    ...(page.error ? [`<li>${escapeHtml(page.error)}</li>`] : []),
    ...fieldErrors.map((f) => `<li><a href="#f-${f.name}">${escapeHtml(f.label)}: ${escapeHtml(f.error!)}</a></li>`),
  ];
  const alert = problems.length
    ? `<div class="alert" role="alert" tabindex="-1" id="problems"><strong>There is a problem</strong><ul>${problems.join('')}</ul></div>`
    : '';
  const notice = page.notice ? `<p class="notice" role="status">${escapeHtml(page.notice)}</p>` : '';
  // The first field in error gets the focus, else the first empty one.
  const focus = fieldErrors[0]?.name ?? page.fields.find((f) => !f.value)?.name;
  const fields = page.fields
    .map((f) => field(f).replace(`name="${f.name}"`, `name="${f.name}"${f.name === focus ? ' autofocus' : ''}`))
    .join('\n');
  const extra = (page.extraForms ?? [])
    .map(
      (f) =>
        `<form method="post" action="${escapeHtml(f.action)}">${Object.entries(f.hidden)
          .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
          .join('')}<button type="submit" class="secondary">${escapeHtml(f.submit)}</button></form>`,
    )
    .join('\n');
  const links = page.links?.length
    ? `<nav aria-label="Other options"><ul>${page.links
        .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a></li>`)
        .join('')}</ul></nav>`
    : '';
  return layout(
    page.title,
    `<h1>${escapeHtml(page.title)}</h1>
${page.intro ? `<p>${escapeHtml(page.intro)}</p>` : ''}
${alert}${notice}
<form method="post" action="${escapeHtml(page.action)}" novalidate>
${Object.entries(page.hidden ?? {})
  .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
  .join('')}
${fields}
<button type="submit">${escapeHtml(page.submit)}</button>
</form>
${extra}
${links}`,
  );
}

export function errorPage(error: string, description: string): string {
  return layout(
    'Something went wrong',
    `<h1>Something went wrong</h1>
<div class="alert" role="alert"><strong>${escapeHtml(error)}</strong><p>${escapeHtml(description)}</p></div>
<p>This sign-in link is not valid. Go back to the app and start signing in again.</p>`,
  );
}
