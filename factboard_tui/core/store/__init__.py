"""The encrypted board store: one SQLCipher 4 database per board, and the one write path into it.

`board.Board` is what the faces hold: it opens, unlocks, creates and closes a board and carries every read and
write as a method. The work itself lives in the modules beside it, one concern each (see `board`).
"""
