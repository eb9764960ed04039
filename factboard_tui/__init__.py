"""FactBoard: the FACT team's morning board in the terminal, kept in an encrypted local database."""

__version__ = "0.1.0"
