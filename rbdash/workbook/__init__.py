"""Reading and writing the workbook: its schema, the package inspection, the per-sheet readers, the
loader that turns a file into the model (`rbdash.model`), the bounded worker for untrusted files,
and the writer of the bundled workbook and the template."""
