/** The file a running node writes into its data directory so that the CLI finds and may talk to it. */
export const CONTROL_FILE = 'control.json'
/** The Unix socket the control API listens on, in the data directory (owner-only, like everything there). */
export const CONTROL_SOCKET = 'control.sock'

/** What control.json holds (mode 0600: the token is the only key to the node's control API). */
export interface ControlFile {
  /** the socket's name in the data directory */
  readonly socket: string
  readonly token: string
}
