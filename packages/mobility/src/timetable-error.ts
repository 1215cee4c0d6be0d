import { KvartalError } from '@kvartal/protocol'

/** A timetable that cannot be used: says which row is wrong. */
export class TimetableError extends KvartalError {
  constructor(message: string) {
    super('ERR_TIMETABLE', message)
    this.name = 'TimetableError'
  }
}
