// IP addresses and CIDR blocks as event-ruler reads them (its CIDR class over java.net.InetAddress):
// an address is a candidate only if it looks like a dotted quad or like hex-and-colons; IPv4 octets are
// decimal (leading zeros allowed); an IPv4-mapped IPv6 address (::ffff:a.b) is the IPv4 address; a block
// runs from the address as written (it is not masked) up to the address with all host bits set.

import { RulerArgumentError } from './errors.js';

export interface IpAddress {
  readonly v6: boolean;
  /** 32-bit (IPv4) or 128-bit (IPv6) value. */
  readonly value: bigint;
}

export interface IpRange {
  readonly v6: boolean;
  readonly low: bigint;
  readonly high: bigint;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const JAVA_INT = /^[+-]?[0-9]+$/;

/** Whether event-ruler would even try to read this string as an IP address. */
export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

function parseIpv4(text: string): bigint | undefined {
  let value = 0n;
  for (const part of text.split('.')) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** Java's IPAddressUtil.textToNumericFormatV6, for the hex-and-colons shape only. */
function parseIpv6(text: string): IpAddress | undefined {
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return undefined;
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? '' : text.slice(doubleColon + 2);
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.length === 0 || group.length > 4) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const before = groups(head);
  const after = groups(tail);
  if (before === undefined || after === undefined) return undefined;
  const count = before.length + after.length;
  if (doubleColon === -1 ? count !== 8 : count > 7) return undefined;
  const all = [...before, ...new Array<number>(8 - count).fill(0), ...after];
  let value = 0n;
  for (const group of all) value = (value << 16n) | BigInt(group);
  // InetAddress turns an IPv4-mapped address into the IPv4 address itself.
  if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
  return { v6: true, value };
}

/** The address an IP literal denotes, or undefined when event-ruler would not read it as one. */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) {
    const value = parseIpv4(text);
    return value === undefined ? undefined : { v6: false, value };
  }
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

/** A canonical key for IP equality ("::1" and "0:0:0:0:0:0:0:1" are one address). */
export function ipKey(address: IpAddress): string {
  return (address.v6 ? '6:' : '4:') + address.value.toString(16);
}

function fail(reason: string): never {
  throw new RulerArgumentError(reason);
}

/** Java's String.split("/"): trailing empty strings are dropped. */
function javaSplitOnSlash(text: string): string[] {
  const parts = text.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Compiles a "cidr" operand, with event-ruler's refusals. */
export function parseCidr(text: string): IpRange {
  const parts = javaSplitOnSlash(text);
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [addressText, maskText] = parts as [string, string];
  const mask = JAVA_INT.test(maskText) ? Number(maskText) : NaN;
  if (!Number.isInteger(mask) || mask > 2147483647 || mask < -2147483648)
    fail('Malformed CIDR, mask bits must be an integer');
  if (mask < 0) fail('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(addressText)) fail(`Nonstandard IP address: ${addressText}`);
  const address = parseIp(addressText);
  if (address === undefined) fail(`Invalid IP address: ${addressText}`);
  if (!address.v6 && mask > 31) fail('IPv4 mask bits must be < 32');
  if (address.v6 && mask > 127) fail('IPv6 mask bits must be < 128');
  const hostBits = BigInt((address.v6 ? 128 : 32) - mask);
  const hostMask = (1n << hostBits) - 1n;
  return { v6: address.v6, low: address.value, high: address.value | hostMask };
}

export function inRange(range: IpRange, address: IpAddress): boolean {
  return range.v6 === address.v6 && address.value >= range.low && address.value <= range.high;
}
