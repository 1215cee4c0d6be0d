import { createServer } from 'node:net'
import { once } from 'node:events'
import { ServerTCP } from 'modbus-serial'

// A SunSpec device's holding registers, laid out by the published model definitions
// (github.com/sunspec/models json/model_1.json, model_203.json, model_103.json; point offsets counted
// from each model's ID register, as the definitions list them):
//   model 1   (L 66):  ID 0, L 1, Mn 2..17, Md 18..33, Opt 34..41, Vr 42..49, SN 50..65, DA 66, Pad 67
//   model 203 (L 105): W 18, W_SF 22, TotWhExp 38..39 (acc32), TotWhImp 46..47 (acc32), TotWh_SF 54
//   model 103 (L 50):  W 14, W_SF 15, WH 24..25 (acc32), WH_SF 26, St 38 (4 = MPPT)
//   model 124 (L 24):  WChaMax 2, StorCtl_Mod 5, MinRsvPct 7, ChaState 8, StorAval 9, InBatV 10, ChaSt 11
//                      (4 = CHARGING), OutWRte 12, InWRte 13 (int16); WChaMax_SF 18, MinRsvPct_SF 21,
//                      ChaState_SF 22, StorAval_SF 23, InBatV_SF 24, InOutWRte_SF 25
//   model 120 (L 26):  DERTyp 2, WRtg 3, WRtg_SF 4, WHRtg 19, WHRtg_SF 20 (every other point "not implemented")
// after the marker 'SunS' (0x5375 0x6e53) at the base, and closed by the end marker 0xFFFF, 0.

const str = (s: string, regs: number): number[] => {
  const b = Buffer.alloc(regs * 2)
  b.write(s, 'latin1')
  return Array.from({ length: regs }, (_, i) => b.readUInt16BE(i * 2))
}
const hiLo = (v: number): [number, number] => [Math.floor(v / 0x10000), v % 0x10000]
/** a sunssf as it travels: int16 in two's complement */
export const sf = (n: number): number => n & 0xffff

export function commonModel(
  mn: string,
  md: string,
  sn: string,
  o: { opt?: string; vr?: string; da?: number; length?: 65 | 66 } = {}
): number[] {
  const m = [
    1,
    o.length ?? 66,
    ...str(mn, 16),
    ...str(md, 16),
    ...str(o.opt ?? '', 8),
    ...str(o.vr ?? '1.4.2', 8),
    ...str(sn, 16),
    o.da ?? 1
  ]
  return o.length === 65 ? m : [...m, 0x8000]
}

/** a float32 as it travels: IEEE 754, high word first; NaN is SunSpec's "not implemented" (0x7FC00000) */
export const f32 = (v: number): [number, number] => {
  const b = Buffer.alloc(4)
  if (Number.isNaN(v)) b.writeUInt32BE(0x7fc00000, 0)
  else b.writeFloatBE(v, 0)
  return [b.readUInt16BE(0), b.readUInt16BE(2)]
}

/**
 * Model 111–113 (float inverter, L 60) from its points in order (model_113.json): A, AphA, AphB, AphC,
 * PPVphAB, PPVphBC, PPVphCA, PhVphA, PhVphB, PhVphC, W, Hz, VA, VAr, PF, WH, DCA, DCV, DCW, TmpCab,
 * TmpSnk, TmpTrns, TmpOt (float32 each, 2..47), St 48, StVnd 49, Evt1 50, Evt2 52, EvtVnd1–4 54–61.
 */
export function floatInverterModel(id: 111 | 112 | 113, floats: readonly number[], st: number, stVnd: number): number[] {
  if (floats.length !== 23) throw new Error('model 11x has 23 float points before St')
  return [id, 60, ...floats.flatMap(f32), st, stVnd, ...new Array<number>(12).fill(0)]
}

/**
 * Model 211–214 (float meter, L 124) from its points in order (model_213.json): A, AphA, AphB, AphC,
 * PhV, PhVphA, PhVphB, PhVphC, PPV, PPVphAB, PPVphBC, PPVphCA, Hz, W, WphA–C, VA, VAphA–C, VAR,
 * VARphA–C, PF, PFphA–C (2..59), TotWhExp 60, TotWhExpPhA–C, TotWhImp 68, TotWhImpPhA–C, then the
 * VAh and VARh totals (76..123) and Evt (124–125): 61 float32 points and a bitfield32.
 */
export function floatMeterModel(id: 211 | 212 | 213 | 214, floats: readonly number[]): number[] {
  if (floats.length !== 61) throw new Error('model 21x has 61 float points before Evt')
  return [id, 124, ...floats.flatMap(f32), 0, 0]
}

/** model 203, wye-connect three-phase meter: the totals and their scale factor */
export function meterModel(r: { importRaw: number; exportRaw: number; sfReg: number }): number[] {
  const m = new Array<number>(107).fill(0)
  m[0] = 203
  m[1] = 105
  m[18] = 1830
  m[22] = 0
  ;[m[38], m[39]] = hiLo(r.exportRaw)
  ;[m[46], m[47]] = hiLo(r.importRaw)
  m[54] = r.sfReg
  return m
}

/** model 103, three-phase inverter: lifetime energy and its scale factor, state MPPT */
export function inverterModel(r: { whRaw: number; sfReg: number }): number[] {
  const m = new Array<number>(52).fill(0)
  m[0] = 103
  m[1] = 50
  m[14] = 4200
  m[15] = 0
  ;[m[24], m[25]] = hiLo(r.whRaw)
  m[26] = r.sfReg
  m[38] = 4
  return m
}

/** The raw registers of model 124's points (scale factors as sunssf registers, `sf(n)`); absent: "not implemented". */
export interface StoragePoints {
  chaSt: number
  wChaMax?: [number, number]
  storCtlMod?: number
  minRsvPct?: [number, number]
  chaState?: [number, number]
  storAval?: [number, number]
  inBatV?: [number, number]
  outWRte?: number
  inWRte?: number
  inOutWRteSf?: number
}

/** model 124, basic storage controls, point by point; a point not given is "not implemented" (0xFFFF, int16 0x8000) */
export function storageModel(p: number | StoragePoints): number[] {
  const q: StoragePoints = typeof p === 'number' ? { chaSt: p } : p
  const m = new Array<number>(26).fill(0xffff)
  m[0] = 124
  m[1] = 24
  for (const i of [12, 13, 18, 19, 20, 21, 22, 23, 24, 25]) m[i] = 0x8000
  const point = (v: [number, number] | undefined, at: number, sfAt: number): void => {
    if (v != null) [m[at], m[sfAt]] = v
  }
  point(q.wChaMax, 2, 18)
  point(q.minRsvPct, 7, 21)
  point(q.chaState, 8, 22)
  point(q.storAval, 9, 23)
  point(q.inBatV, 10, 24)
  if (q.storCtlMod != null) m[5] = q.storCtlMod
  m[11] = q.chaSt
  if (q.outWRte != null) m[12] = q.outWRte & 0xffff
  if (q.inWRte != null) m[13] = q.inWRte & 0xffff
  if (q.inOutWRteSf != null) m[25] = q.inOutWRteSf
  return m
}

/** model 120, nameplate: a storage DER (DERTyp 82) rated `wRtg` W and WHRtg × 10^sf Wh; every other point "not implemented" */
export function nameplateModel(r: { wRtg: number; whRtg: number; whRtgSf: number }): number[] {
  const m = new Array<number>(28).fill(0xffff)
  m[0] = 120
  m[1] = 26
  m[2] = 82
  m[3] = r.wRtg
  m[4] = 0
  for (const i of [6, 11, 13, 18, 22, 24, 26, 27]) m[i] = 0x8000
  m[19] = r.whRtg
  m[20] = r.whRtgSf
  return m
}

/** The register image: 'SunS', the models, the end marker, from `base`. Addresses outside it answer exception 2. */
export class RegisterImage {
  readonly regs = new Map<number, number>()
  readonly base: number
  /** registers whose value is computed when read (a live device's accumulator), by address */
  readonly live = new Map<number, () => number>()
  constructor(base: number, models: number[][]) {
    this.base = base
    this.lay(models)
  }
  /** a published register dump, as it is: every register from `base` ('SunS' … end marker included) */
  static fromDump(base: number, regs: readonly number[]): RegisterImage {
    const image = new RegisterImage(base, [])
    image.regs.clear()
    regs.forEach((v, i) => {
      image.regs.set(base + i, v)
    })
    return image
  }
  lay(models: number[][]): void {
    this.regs.clear()
    const all = [0x5375, 0x6e53, ...models.flat(), 0xffff, 0]
    all.forEach((v, i) => {
      this.regs.set(this.base + i, v)
    })
  }
  /** the address of the model after the common one (which takes 68 registers from base + 2) */
  get second(): number {
    return this.base + 2 + 68
  }
  setAcc32(address: number, v: number): void {
    const [h, l] = hiLo(v)
    this.regs.set(address, h)
    this.regs.set(address + 1, l)
  }
  get(address: number): number {
    const v = this.live.get(address)?.() ?? this.regs.get(address)
    if (v == null) throw Object.assign(new Error(`illegal data address ${address}`), { modbusErrorCode: 2 })
    return v
  }
}

export async function freePort(): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as { port: number }).port
  await new Promise<void>(resolve => {
    s.close(() => {
      resolve()
    })
  })
  return port
}

/** modbus-serial's own Modbus TCP server on 127.0.0.1, serving the image (unit 1). */
export async function serve(image: RegisterImage, port: number): Promise<ServerTCP> {
  const server = new ServerTCP(
    {
      getHoldingRegister: (addr: number) => image.get(addr),
      getMultipleHoldingRegisters: (addr: number, length: number) => Array.from({ length }, (_, i) => image.get(addr + i))
    },
    { host: '127.0.0.1', port, unitID: 1 }
  )
  await Promise.race([
    once(server, 'initialized'),
    once(server, 'serverError').then(([e]) => {
      throw e
    })
  ])
  return server
}

export async function close(server: ServerTCP): Promise<void> {
  await new Promise<void>(resolve => {
    server.close(() => {
      resolve()
    })
  })
}

/**
 * The registers of pysunspec's `mbmap` XML test device files (`<regs>` elements of hex bytes, two per
 * register, laid one after the other from the map's base): the dumps in fixtures/sunspec/ (SOURCES.md).
 */
export function mbmapRegisters(xml: string): number[] {
  const bytes: number[] = []
  for (const m of xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<regs>([^<]*)<\/regs>/g)) {
    for (const h of m[1].trim().split(/\s+/)) {
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) throw new Error(`not a hex byte in a <regs> element: ${h}`)
      bytes.push(parseInt(h, 16))
    }
  }
  if (bytes.length % 2 !== 0) throw new Error('an odd number of bytes: registers are two bytes each')
  return Array.from({ length: bytes.length / 2 }, (_, i) => bytes[2 * i] * 0x100 + bytes[2 * i + 1])
}
