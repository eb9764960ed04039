"""The board's ways in and out as files a person asked for: exports, spreadsheet imports, meeting minutes, the demo.

Each exporter is a pure function from board data to a document and from a document to bytes; writing the file is
one step that says the file is not encrypted and enters it in the audit log. Imports and the demo board write only
through the store's one write path.
"""
