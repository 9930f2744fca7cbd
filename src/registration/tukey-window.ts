/**
 * A Tukey (tapered cosine) apodisation window: 1 in the middle, a raised-cosine ramp of `taper`
 * samples at each end. It suppresses the edge discontinuity that the FFT's periodicity would
 * otherwise turn into a spurious zero-shift peak, while keeping most of a narrow overlap's weight
 * (a Hann window would halve it). Harris (1978) doi:10.1109/PROC.1978.10837.
 */
export function tukeyWindow(n: number, taper: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const t = Math.min(Math.floor(taper), Math.floor(n / 2));
  for (let i = 0; i < t; i++) {
    const v = 0.5 * (1 - Math.cos((Math.PI * (i + 0.5)) / t));
    w[i] = v;
    w[n - 1 - i] = v;
  }
  return w;
}
