/** One file the generator wants to exist. Paths are relative to the output directory, POSIX separators. */
export interface PlannedFile {
  path: string;
  content: string;
  /**
   * `owned`: otpiser regenerates it and protects user edits via the lock.
   * `user`: written once if missing (e.g. a stub the user fills in), never touched again.
   */
  ownership: "owned" | "user";
}

export interface Plan {
  files: PlannedFile[];
}
