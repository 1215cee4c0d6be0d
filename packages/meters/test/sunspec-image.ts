import { createServer } from 'node:net'
import { once } from 'node:events'
import { ServerTCP } from 'modbus-serial'

// A SunSpec device's holding registers, laid out by the published model definitions
// (github.com/sunspec/models json/model_1.json, model_203.json, model_103.json; point offsets counted
// from each model's ID register, as the definitions list them):
//   model 1   (L 66):  ID 0, L 1, Mn 2..17, Md 18..33, Opt 34..41, Vr 42..49, SN 50..65, DA 66, Pad 67
//   model 203 (L 105): W 18, W_SF 22, TotWhExp 38..39 (acc32), TotWhImp 46..47 (acc32), TotWh_SF 54
//   model 103 (L 50):  W 14, W_SF 15, WH 24..25 (acc32), WH_SF 26, St 38 (4 = MPPT)
//   model 124 (L 24):  ChaSt 11 (4 = CHARGING)
// after the marker 'SunS' (0x5375 0x6e53) at the base, and closed by the end marker 0xFFFF, 0.

const str = (s: string, regs: number): number[] => {
  const b = Buffer.alloc(regs * 2); b.write(s, 'latin1')
  return Array.from({ length: regs }, (_, i) => b.readUInt16BE(i * 2))
}
const hiLo = (v: number): [number, number] => [Math.floor(v / 0x10000), v % 0x10000]
/** a sunssf as it travels: int16 in two's complement */
export const sf = (n: number): number => n & 0xFFFF

export function commonModel (mn: string, md: string, sn: string): number[] {
  return [1, 66, ...str(mn, 16), ...str(md, 16), ...str('', 8), ...str('1.4.2', 8), ...str(sn, 16), 1, 0x8000]
}

/** model 203, wye-connect three-phase meter: the totals and their scale factor */
export function meterModel (r: { importRaw: number, exportRaw: number, sfReg: number }): number[] {
  const m = new Array<number>(107).fill(0)
  m[0] = 203; m[1] = 105
  m[18] = 1830; m[22] = 0
  ;[m[38], m[39]] = hiLo(r.exportRaw)
  ;[m[46], m[47]] = hiLo(r.importRaw)
  m[54] = r.sfReg
  return m
}

/** model 103, three-phase inverter: lifetime energy and its scale factor, state MPPT */
export function inverterModel (r: { whRaw: number, sfReg: number }): number[] {
  const m = new Array<number>(52).fill(0)
  m[0] = 103; m[1] = 50
  m[14] = 4200; m[15] = 0
  ;[m[24], m[25]] = hiLo(r.whRaw)
  m[26] = r.sfReg
  m[38] = 4
  return m
}

/** model 124, basic storage controls: ChaSt @11 (4 = CHARGING); the rest left 0 */
export function storageModel (chaSt: number): number[] {
  const m = new Array<number>(26).fill(0)
  m[0] = 124; m[1] = 24; m[11] = chaSt
  return m
}

/** The register image: 'SunS', the models, the end marker, from `base`. Addresses outside it answer exception 2. */
export class RegisterImage {
  readonly regs = new Map<number, number>()
  readonly base: number
  constructor (base: number, models: number[][]) { this.base = base; this.lay(models) }
  lay (models: number[][]): void {
    this.regs.clear()
    const all = [0x5375, 0x6e53, ...models.flat(), 0xFFFF, 0]
    all.forEach((v, i) => this.regs.set(this.base + i, v))
  }
  /** the address of the model after the common one (which takes 68 registers from base + 2) */
  get second (): number { return this.base + 2 + 68 }
  setAcc32 (address: number, v: number): void { const [h, l] = hiLo(v); this.regs.set(address, h); this.regs.set(address + 1, l) }
  get (address: number): number {
    const v = this.regs.get(address)
    if (v == null) throw Object.assign(new Error(`illegal data address ${address}`), { modbusErrorCode: 2 })
    return v
  }
}

export async function freePort (): Promise<number> {
  const s = createServer(); s.listen(0, '127.0.0.1'); await once(s, 'listening')
  const port = (s.address() as { port: number }).port
  await new Promise<void>(resolve => { s.close(() => { resolve() }) })
  return port
}

/** modbus-serial's own Modbus TCP server on 127.0.0.1, serving the image (unit 1). */
export async function serve (image: RegisterImage, port: number): Promise<ServerTCP> {
  const server = new ServerTCP({
    getHoldingRegister: (addr: number) => image.get(addr),
    getMultipleHoldingRegisters: (addr: number, length: number) => Array.from({ length }, (_, i) => image.get(addr + i))
  }, { host: '127.0.0.1', port, unitID: 1 })
  await Promise.race([once(server, 'initialized'), once(server, 'serverError').then(([e]) => { throw e })])
  return server
}

export async function close (server: ServerTCP): Promise<void> {
  await new Promise<void>(resolve => { server.close(() => { resolve() }) })
}
