/**
 * Where the sun is and how much light reaches the ground under a clear sky.
 *
 * Position: NOAA's "General Solar Position Calculations", which use Spencer's (1971) Fourier series for
 * the declination and the equation of time, from a UTC timestamp. Accurate to a fraction of a degree,
 * plenty for energy forecasts.
 *
 * Irradiance: the Haurwitz (1945) clear-sky model, GHI = 1098 · cos z · exp(−0.059 / cos z) W/m², with z
 * the solar zenith angle. It needs only the sun's elevation and is a standard baseline in comparisons
 * of clear-sky models (Reno, Hansen & Stein, Sandia 2012).
 */

const DEG = Math.PI / 180

/** Fractional year γ in radians, as NOAA defines it, for a UTC timestamp. */
function fractionalYear(timeMs: number): number {
  const d = new Date(timeMs)
  const year = d.getUTCFullYear()
  const startOfYear = Date.UTC(year, 0, 1)
  const daysInYear = (Date.UTC(year + 1, 0, 1) - startOfYear) / 86_400_000
  const dayOfYear = Math.floor((timeMs - startOfYear) / 86_400_000) + 1
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600
  return ((2 * Math.PI) / daysInYear) * (dayOfYear - 1 + (hour - 12) / 24)
}

/** Solar declination in degrees (Spencer). */
export function solarDeclination(timeMs: number): number {
  const g = fractionalYear(timeMs)
  const rad =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g)
  return rad / DEG
}

/** Equation of time in minutes (Spencer): apparent minus mean solar time. */
export function equationOfTime(timeMs: number): number {
  const g = fractionalYear(timeMs)
  return 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g))
}

/**
 * Sun elevation above the horizon in degrees (negative below it) at `timeMs` (UTC) seen from
 * latitude `latDeg` (north positive) and longitude `lonDeg` (east positive). No refraction correction.
 */
export function solarElevation(latDeg: number, lonDeg: number, timeMs: number): number {
  const d = new Date(timeMs)
  const minutesUtc = d.getUTCHours() * 60 + d.getUTCMinutes() + d.getUTCSeconds() / 60 + d.getUTCMilliseconds() / 60_000
  const trueSolarMinutes = minutesUtc + equationOfTime(timeMs) + 4 * lonDeg
  const hourAngle = (trueSolarMinutes / 4 - 180) * DEG
  const lat = latDeg * DEG
  const decl = solarDeclination(timeMs) * DEG
  const cosZenith = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle)
  return 90 - Math.acos(Math.min(1, Math.max(-1, cosZenith))) / DEG
}

/** Clear-sky global horizontal irradiance in W/m² for a sun `elevationDeg` high (Haurwitz); 0 at night. */
export function clearSkyIrradiance(elevationDeg: number): number {
  if (elevationDeg <= 0) return 0
  const cosZ = Math.sin(elevationDeg * DEG)
  return 1098 * cosZ * Math.exp(-0.059 / cosZ)
}
