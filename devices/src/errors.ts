import { KvartalError } from '@kvartal/protocol'

/** A dispatchable device was asked to plan a slot before one it has already committed. */
export class DispatchOrderError extends KvartalError {
  readonly deviceId: string
  constructor(deviceId: string, slot: number, last: number) {
    super(
      'dispatch-order',
      `device "${deviceId}" was dispatched for slot ${last} and cannot go back to slot ` +
        `${slot}: dispatch slots in increasing order (a building's netForecast does this)`
    )
    this.deviceId = deviceId
    this.name = 'DispatchOrderError'
  }
}
