/**
 * Pause, step and resume for the simulator's clock. The runner awaits `mayContinue` after every tick
 * (tick-driver.ts's `driveTicks` awaits `onProgress`): while paused it does not return, so the simulated clock
 * really stands still. A step runs until one more slot's gate has closed, then pauses again.
 */
export class RunControl {
  state: 'running' | 'paused' | 'stepping'
  /** the runner is waiting in `mayContinue`: the clock stands still (paused, and not merely asked to pause) */
  held = false
  #target = 0
  #release: (() => void) | undefined
  #waiting: Promise<void> | undefined
  /** told whenever the state changes */
  onChange: (() => void) | undefined

  constructor(paused = false) {
    this.state = paused ? 'paused' : 'running'
  }

  pause(): void {
    if (this.state !== 'paused') this.#set('paused')
  }

  resume(): void {
    this.#set('running')
    this.#open()
  }

  /** Runs on until `closed + 1` slots have closed (`closed`: the slots closed now). */
  step(closed: number): void {
    if (this.state === 'stepping') return
    this.#target = closed + 1
    this.#set('stepping')
    this.#open()
  }

  /** Resolves when the clock may move on, `closed` slots having closed. */
  async mayContinue(closed: number): Promise<void> {
    if (this.state === 'stepping' && closed >= this.#target) this.#set('paused')
    if (this.state !== 'paused') return
    this.held = true
    this.onChange?.()
    while (this.state === 'paused') {
      this.#waiting ??= new Promise<void>(resolve => {
        this.#release = resolve
      })
      await this.#waiting
    }
    this.held = false
  }

  #open(): void {
    const release = this.#release
    this.#release = undefined
    this.#waiting = undefined
    release?.()
  }

  #set(s: RunControl['state']): void {
    this.state = s
    this.onChange?.()
  }
}
