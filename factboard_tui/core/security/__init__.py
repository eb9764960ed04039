"""Keeping the board safe: its keys, the audit log and its seal, backups, and files that survive a crash.

The board's key lives only wrapped in its key slot (`keys`); every write and every look is entered in a hash-chained
audit log with a seal over the records (`audit`, `seal`); copies, restores and re-keys are journalled so a cut-off
run is finished or undone at the next start (`backups`, `journal`, `locks`, `durable`).
"""
