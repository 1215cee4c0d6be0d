import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/**
 * `@chainsafe/libp2p-yamux` 8.0.1 answers every data frame it receives with a window update frame: its
 * `sendWindowUpdate` returns early only when the receive window is full again, which it never is once a frame
 * was read. Each gossip copy then costs a second frame back, encrypted by noise and read by the other side.
 * hashicorp's yamux and go-yamux send an update only once half the window is consumed (or a flag is due), and
 * so does this: the sender always has at least half its window (128 KiB of the default 256) to write on.
 * While a SYN or ACK is still due (states Init, SYNReceived), or the stream is paused, the library decides
 * as before. Installed once, on import, for every yamux stream of the process.
 */
interface WindowFields {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

const sendWindowUpdate = YamuxStream.prototype.sendWindowUpdate
YamuxStream.prototype.sendWindowUpdate = function (this: YamuxStream): void {
  const s = this as unknown as WindowFields
  const quiet = s.state === StreamState.Established || s.state === StreamState.SYNSent
  if (quiet && s.recvWindow - s.recvWindowCapacity < s.recvWindow / 2) return
  sendWindowUpdate.call(this)
}
