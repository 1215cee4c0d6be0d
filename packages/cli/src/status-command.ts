import { parseArgs } from 'node:util'
import { callNode } from './control-client.ts'
import { clientOptions, dataDirOf, output } from './client-args.ts'

interface Status {
  peerId: string
  trader: string
  iotaAddress: string
  addrs: string[]
  peers: number
  settlement: string
  mobility: { role: string, services: number, vehicles: number, timetable: { stops: number, patterns: number } } | null
}

/** `kvartal status --data-dir <dir>`: who a running node is and what it knows of the mobility market. */
export async function statusCommand (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: clientOptions })
  const dir = await dataDirOf(values, 'kvartal status --data-dir <dir>')
  output(values.json, await callNode(dir, 'GET', '/status'), (s: Status) =>
    `peer id     ${s.peerId}\ntrader      ${s.trader}\niota        ${s.iotaAddress} (${s.settlement})\npeers       ${s.peers}\n` +
    `addresses   ${s.addrs.join(' ')}\n` +
    (s.mobility == null
      ? 'mobility    none (no mobility section in the config)\n'
      : `mobility    ${s.mobility.role}; ${s.mobility.services} service offers known (${s.mobility.vehicles} vehicles); timetable of ${s.mobility.timetable.stops} stops\n`))
  return 0
}
