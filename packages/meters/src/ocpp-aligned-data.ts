import type { RPCClient } from 'ocpp-rpc'
import { MeterConnectionError } from './meter.ts'
import type { OcppChargerInit } from './ocpp-charger-types.ts'

/**
 * What an `OcppCharger` (ocpp-charger.ts) asks of its charge point after boot: the connector's register at
 * every slot boundary (`alignedSeconds`), and in every transaction sample. OCPP 1.6: ChangeConfiguration of
 * three keys; 2.0.1: SetVariables of the device model's same three settings. A setting the charge point
 * does not take is counted by `refused`, never fatal.
 */
export async function askForRegisters(
  client: RPCClient,
  init: Pick<OcppChargerInit, 'alignedSeconds' | 'chargePointId'>,
  refused: (err: Error) => void
): Promise<void> {
  const aligned = init.alignedSeconds ?? 900
  if (aligned === 0) return
  if (client.protocol === 'ocpp2.0.1') {
    // the device model's variables (OCPP 2.0.1 part 2, appendix 3): the same three settings as 1.6's keys
    const setVariableData = [
      ['AlignedDataCtrlr', 'Interval', String(aligned)],
      ['AlignedDataCtrlr', 'Measurands', 'Energy.Active.Import.Register'],
      ['SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register']
    ].map(([component, variable, attributeValue]) => ({ attributeValue, component: { name: component }, variable: { name: variable } }))
    try {
      const res = (await client.call('SetVariables', { setVariableData })) as {
        setVariableResult: Array<{ attributeStatus: string; component: { name: string }; variable: { name: string } }>
      }
      for (const r of res.setVariableResult) {
        if (r.attributeStatus !== 'Accepted' && r.attributeStatus !== 'RebootRequired')
          refused(
            new MeterConnectionError(
              `OCPP ${init.chargePointId}: SetVariables ${r.component.name}.${r.variable.name}: ${r.attributeStatus}`
            )
          )
      }
    } catch (err) {
      refused(new MeterConnectionError(`OCPP ${init.chargePointId}: SetVariables: ${(err as Error).message}`, { cause: err }))
    }
    return
  }
  for (const [key, value] of [
    ['ClockAlignedDataInterval', String(aligned)],
    ['MeterValuesAlignedData', 'Energy.Active.Import.Register'],
    ['MeterValuesSampledData', 'Energy.Active.Import.Register']
  ]) {
    await client.call('ChangeConfiguration', { key, value }).catch((err: Error) => {
      refused(new MeterConnectionError(`OCPP ${init.chargePointId}: ChangeConfiguration ${key}: ${err.message}`, { cause: err }))
    })
  }
}
