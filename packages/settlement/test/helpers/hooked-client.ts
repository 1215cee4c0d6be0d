import { IotaClient, type IotaTransactionBlockResponse, type PaginatedCoins } from '@iota/iota-sdk/client'

/**
 * An IotaClient whose execute, wait and coin-page answers a test can replace or edit (`real` asks the node):
 * a node that loses an answer, forgets effects or a timestamp, answers for another transaction, or pages
 * its coins its own way. Unset, each asks the node.
 */
export class HookedClient extends IotaClient {
  onExecute: ((real: () => Promise<IotaTransactionBlockResponse>) => Promise<IotaTransactionBlockResponse>) | undefined
  onWait: ((real: () => Promise<IotaTransactionBlockResponse>) => Promise<IotaTransactionBlockResponse>) | undefined
  onCoins: ((real: () => Promise<PaginatedCoins>) => Promise<PaginatedCoins>) | undefined
  override async executeTransactionBlock(
    input: Parameters<IotaClient['executeTransactionBlock']>[0]
  ): Promise<IotaTransactionBlockResponse> {
    const real = async (): Promise<IotaTransactionBlockResponse> => await super.executeTransactionBlock(input)
    return this.onExecute != null ? await this.onExecute(real) : await real()
  }

  override async waitForTransaction(input: Parameters<IotaClient['waitForTransaction']>[0]): Promise<IotaTransactionBlockResponse> {
    const real = async (): Promise<IotaTransactionBlockResponse> => await super.waitForTransaction(input)
    return this.onWait != null ? await this.onWait(real) : await real()
  }

  override async getCoins(input: Parameters<IotaClient['getCoins']>[0]): Promise<PaginatedCoins> {
    const real = async (): Promise<PaginatedCoins> => await super.getCoins(input)
    return this.onCoins != null ? await this.onCoins(real) : await real()
  }
}
