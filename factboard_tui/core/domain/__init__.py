"""The board's rules without a database: what a field accepts, templates, filters, views, history lines, meetings.

Everything here is a pure function of values (rows, visits, change records, a template, a clock): no SQL, no files
but the shipped templates, no face. The store validates through it, and the faces show through it.
"""
