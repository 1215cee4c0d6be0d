import { ConfigError } from '@kvartal/protocol'
import { callNode } from './control-client.ts'
import { dataDirOf, output, type ClientOptions } from './client-args.ts'
import { channelRefOf, peerRefOf, readerKeyOf } from './journey-input.ts'
import { table } from './tables.ts'

interface ReaderView {
  x25519: string
  node?: string
}
const readerText = (r: ReaderView): string => (r.node != null ? `node ${r.node.slice(0, 16)}…` : `x25519 ${r.x25519.slice(0, 16)}…`)

function one(positionals: readonly string[], what: string, example: string): string {
  if (positionals.length !== 1) throw new ConfigError(what, `give one ${what}: ${example}`)
  return positionals[0]
}

export async function channelList(values: ClientOptions): Promise<number> {
  const dir = await dataDirOf(values, 'kvartal channel list --data-dir <dir>')
  output(
    values.json,
    await callNode(dir, 'GET', '/channels'),
    (v: {
      channels: Array<{ id: string; name?: string; own: boolean; owner: string; records: number; epoch: number; readers?: ReaderView[] }>
    }) =>
      v.channels.length === 0
        ? 'this node holds no channels yet\n'
        : table(
            ['channel', 'name', 'records', 'epoch', 'readers', 'owner'],
            v.channels.map(c => [
              c.id,
              c.name ?? '-',
              String(c.records),
              String(c.epoch),
              c.readers == null ? '-' : String(c.readers.length),
              c.own ? 'this node' : `${c.owner.slice(0, 16)}…`
            ]),
            [2, 3, 4]
          )
  )
  return 0
}

export async function channelRead(positionals: readonly string[], values: ClientOptions): Promise<number> {
  const ref = channelRefOf(one(positionals, 'channel', 'kvartal channel read <id|name> --data-dir <dir>'), 'channel')
  const dir = await dataDirOf(values, 'kvartal channel read <id> --data-dir <dir>')
  output(
    values.json,
    await callNode(dir, 'GET', `/channels/${ref}`),
    (v: {
      channel: string
      name?: string
      owner: string
      records: number
      chain: { ok: boolean; message?: string }
      entries: Array<{ index: number; epoch: number; value: unknown }>
      unreadable: Array<{ index: number; epoch: number }>
    }) => {
      const head =
        `channel ${v.channel}${v.name != null ? ` (${v.name})` : ''}, owner ${v.owner}\n` +
        `chain ${v.chain.ok ? 'verified' : `BROKEN: ${v.chain.message ?? ''}`}, ${v.records} records: ` +
        `${v.entries.length} readable, ${v.unreadable.length} unreadable with this node's key\n`
      const rows = v.entries.map(e => `  #${e.index}  epoch ${e.epoch}  ${JSON.stringify(e.value)}`)
      const hidden = v.unreadable.map(u => `  #${u.index}  epoch ${u.epoch}  (no key for this epoch)`)
      return head + [...rows, ...hidden].join('\n') + (rows.length + hidden.length > 0 ? '\n' : '')
    }
  )
  return 0
}

export async function channelGrantOrRevoke(
  verb: 'grant' | 'revoke',
  positionals: readonly string[],
  values: ClientOptions & { reader?: string }
): Promise<number> {
  const name = channelRefOf(one(positionals, 'name', `kvartal channel ${verb} <name> --reader <hex key> --data-dir <dir>`), 'name')
  const reader = readerKeyOf(values.reader, '--reader')
  const dir = await dataDirOf(values, `kvartal channel ${verb} <name> --reader <hex key> --data-dir <dir>`)
  const hex = Buffer.from(reader).toString('hex')
  output(
    values.json,
    await callNode(dir, 'POST', `/channels/${name}/${verb}`, { reader: hex }),
    (v: { name: string; record: number; epoch: number; readers: ReaderView[] }) =>
      (verb === 'grant'
        ? `granted ${hex.slice(0, 16)}… read access to ${v.name} (record ${v.record}, epoch ${v.epoch})\n`
        : `revoked ${hex.slice(0, 16)}… from ${v.name}: its key rotated to epoch ` +
          `${v.epoch} (record ${v.record}); nothing written from now on is readable to it\n`) +
      `readers: ${v.readers.length === 0 ? 'none' : v.readers.map(readerText).join(', ')}\n`
  )
  return 0
}

export async function channelPull(positionals: readonly string[], values: ClientOptions & { peer?: string }): Promise<number> {
  const id = channelRefOf(one(positionals, 'channel', 'kvartal channel pull --peer <addr> <id> --data-dir <dir>'), 'channel')
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new ConfigError('channel', "pull takes the channel's id (64 hex digits): a name only means something on its owner's node")
  const peer = peerRefOf(values.peer, '--peer')
  const dir = await dataDirOf(values, 'kvartal channel pull --peer <addr> <id> --data-dir <dir>')
  output(
    values.json,
    await callNode(dir, 'POST', '/channels/pull', { peer, channel: id }),
    (v: { received: number; records: number; owner: string }) =>
      `pulled ${v.received} new record${v.received === 1 ? '' : 's'} of ${id} ` +
      `(now ${v.records} records, owner ${v.owner.slice(0, 16)}…)\n`
  )
  return 0
}
