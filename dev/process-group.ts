/** Whether any process of the group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops a whole process group (e.g. npx, wrangler, workerd, esbuild): SIGTERM, SIGKILL after 5 s; waits until it is gone. */
export async function stopGroup(pgid: number): Promise<void> {
  if (!groupAlive(pgid)) return
  process.kill(-pgid, 'SIGTERM')
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100))
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
}
