import { UsageError } from './errors.js';

// Sizes as Docker prints them. The engine formats with go-units: `HumanSize` is decimal
// (kB = 1000) rounded to 4 significant digits ("99.71GB", "524.3kB"), `BytesSize` is binary
// ("7.638GiB"). Engines before 17.06 put a space before the unit ("65.54 kB"), later ones
// do not. DriverStatus of the zfs driver holds plain byte counts ("249856").
//
// The number is scaled with BigInt on its decimal digits, so "2.147GB" is exactly
// 2147000000, where the float product 2.147 * 1e9 is 2146999999.9999998.

const DECIMAL: Record<string, bigint> = { '': 1n, k: 1000n, m: 1000n ** 2n, g: 1000n ** 3n, t: 1000n ** 4n, p: 1000n ** 5n, e: 1000n ** 6n };
const BINARY: Record<string, bigint> = { k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n, p: 1024n ** 5n, e: 1024n ** 6n };

// digits [. digits] [exponent] [space] [prefix] [i] [b]: "0 B", "123B", "1.68 GB", "512 KiB", "7.638GiB", "2g".
const SIZE = /^(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?\s*(?:([kmgtpe])(i)?)?b?$/i;
const SIZE_FRACTION_ONLY = /^\.(\d+)\s*(?:([kmgtpe])(i)?)?b?$/i;

function multiplier(prefix: string | undefined, binary: boolean): bigint {
  const key = (prefix ?? '').toLowerCase();
  // The pattern only lets "i" follow a prefix, so both lookups always hit.
  return (binary ? BINARY[key] : DECIMAL[key]) ?? 1n;
}

function notASize(text: string): UsageError {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return new UsageError(`${shown} is not a size such as "99.71GB", "65.54 kB", "7.638GiB" or "0 B".`);
}

/** Rounds numerator/denominator to the nearest integer, halves away from zero (sizes are never negative). */
function roundDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/**
 * Bytes in a size as `docker info` prints it: "99.71GB" (decimal), "7.638GiB" (binary),
 * "65.54 kB", "0 B", or a plain byte count. "kB", "KB" and "k" all mean 1000.
 * Throws UsageError for anything else.
 */
export function parseHumanSize(text: string): number {
  const trimmed = text.trim();
  let intDigits: string;
  let fracDigits: string;
  let exponent = 0;
  let prefix: string | undefined;
  let binary: boolean;
  const m = SIZE.exec(trimmed);
  if (m) {
    intDigits = m[1] as string;
    fracDigits = m[2] ?? '';
    exponent = m[3] ? Number(m[3]) : 0;
    prefix = m[4];
    binary = m[5] !== undefined;
  } else {
    const f = SIZE_FRACTION_ONLY.exec(trimmed);
    if (!f) throw notASize(text);
    intDigits = '0';
    fracDigits = f[1] as string;
    prefix = f[2];
    binary = f[3] !== undefined;
  }
  // %.4g never prints an exponent for sizes; a huge one here is garbage, not a size.
  if (Math.abs(exponent) > 30) throw notASize(text);
  const mantissa = BigInt(intDigits + fracDigits) * multiplier(prefix, binary);
  const scale = fracDigits.length - exponent;
  const bytes = scale >= 0 ? roundDiv(mantissa, 10n ** BigInt(scale)) : mantissa * 10n ** BigInt(-scale);
  return Number(bytes);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** A byte count for people, in binary units: "512 B", "1.5 GiB", "15.3 GiB", "152 GiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 0) return `-${formatBytes(-n)}`;
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const fixed = value.toFixed(decimals);
  const text = decimals > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
  return `${text} ${BINARY_UNITS[unit]}`;
}
