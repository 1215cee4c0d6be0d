import { generateSeed } from '@kvartal/protocol'
import type { Emit } from './events.ts'
import type { JournalRefusalCode } from './journal-guard.ts'
import type { Journal } from './journal.ts'

// A node's journal as its start uses it (kvartal-node.ts): the key seed it keeps, and what the node says when
// the journal's writes fail and come back.

/** The node's key seed: the journal's, or on its first start `given` (else a new one), saved. */
export async function keySeed(journal: Journal, given: Uint8Array | undefined): Promise<Uint8Array> {
  let seed = await journal.loadSeed()
  if (seed == null) {
    seed = given ?? generateSeed()
    await journal.saveSeed(seed)
  }
  return seed
}

/**
 * What a node says when its journal's writes fail and come back (the journal's `onStorage`): a write that
 * fails (a full disk, EIO, a closed database) makes new work wait, what is committed stays, and the journal
 * comes back by itself (journal-guard.ts, docs/faults.md). Said once when it begins refusing (`node-error`,
 * and `storage-full` for a full disk), and once when it writes again (`storage-recovered`).
 */
export function storageEvents(emit: Emit): (refusing: boolean, detail: string, code: JournalRefusalCode) => void {
  return (refusing, detail, code) => {
    if (!refusing) {
      emit({ type: 'storage-recovered', code, detail })
      return
    }
    emit({
      type: 'node-error',
      code,
      detail:
        `${detail}; this node takes no new work (proposals refused \`${code}\`, no proposals or announcements) ` +
        'until its journal writes again; nothing committed is lost'
    })
    if (code === 'disk-full') emit({ type: 'storage-full', detail })
  }
}
