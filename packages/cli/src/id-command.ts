import { askRunningNode } from './control-client.ts'

/**
 * `kvartal id --config node.yaml`: the node's peer id, trader key, IOTA address and listen addresses.
 * A running node answers through its control API (with `addrs`, where it really listens); a stopped
 * node's key is read from its data directory, and created there if it has none (node-command.ts).
 */
export async function idAction(o: { config?: string }): Promise<number> {
  if (o.config != null) {
    const { loadNodeConfig } = await import('./node-config.ts')
    const c = await loadNodeConfig(o.config)
    const s = (await askRunningNode(c.dataDir, 'GET', '/status')) as
      | { peerId: string; trader: string; iotaAddress: string; addrs: string[] }
      | undefined
    if (s != null) {
      process.stdout.write(
        JSON.stringify({ peerId: s.peerId, trader: s.trader, iotaAddress: s.iotaAddress, listen: c.listen, addrs: s.addrs }, null, 2) + '\n'
      )
      return 0
    }
  }
  return await (await import('./node-command.ts')).idCommand(o.config != null ? ['--config', o.config] : [])
}
