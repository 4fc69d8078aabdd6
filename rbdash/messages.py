"""The one message catalogue: every text a user reads, in Indonesian ("id") and English ("en").

Keys are dotted names. `t(key, lang, **params)` renders one message; a key missing in either
language is a bug that `tests/test_messages.py` catches.
"""

from __future__ import annotations

import decimal
import string

from babel import Locale
from babel.numbers import format_decimal

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
#: Babel locale of each language, for numbers and dates.
LOCALES = {"id": "id_ID", "en": "en_GB"}

CATALOGUE: dict[str, dict[str, str]] = {
    # --- severities and report words -------------------------------------------------------
    "severity.error": {"id": "GALAT", "en": "ERROR"},
    "severity.warning": {"id": "PERINGATAN", "en": "WARNING"},
    "report.fix": {"id": "Perbaikan", "en": "Fix"},
    "report.valid": {
        "id": "Berkas valid: tidak ada galat ({warnings:n} peringatan).",
        "en": "File is valid: no errors ({warnings:n warning|warnings}).",
    },
    "report.invalid": {
        "id": "Berkas memiliki {errors:n} galat dan {warnings:n} peringatan.",
        "en": "File has {errors:n error|errors} and {warnings:n warning|warnings}.",
    },
    "report.unreadable": {
        "id": "Berkas tidak dapat dibaca sebagai buku kerja Rencana Aksi.",
        "en": "The file cannot be read as an action-plan workbook.",
    },
    "report.whole_sheet": {"id": "(seluruh lembar)", "en": "(whole sheet)"},
    "report.whole_file": {"id": "(seluruh berkas)", "en": "(whole file)"},
    "cli.file_not_found": {
        "id": "Berkas tidak ditemukan: {path}",
        "en": "File not found: {path}",
    },
    "cli.cannot_read": {
        "id": "Tidak dapat membaca {path}: {reason}",
        "en": "Cannot read {path}: {reason}",
    },
    "cli.cannot_write": {
        "id": "Tidak dapat menulis {path}: {reason}",
        "en": "Cannot write {path}: {reason}",
    },
    "cli.template_exists": {
        "id": "{path} sudah ada dan tidak ditimpa: sebutkan nama berkas baru, atau tambahkan --force untuk menggantinya dengan templat kosong.",
        "en": "{path} exists and was not overwritten: give a new file name, or add --force to replace it with a blank template.",
    },
    "cli.template_needs_xlsx": {
        "id": "Templat ditulis sebagai buku kerja Excel: beri nama berkas yang berakhiran .xlsx (bukan {path}).",
        "en": "The template is an Excel workbook: give a file name ending in .xlsx (not {path}).",
    },
    "cli.report_same_output": {
        "id": "--pdf dan --pptx menunjuk berkas yang sama ({path}): sebutkan dua berkas berbeda.",
        "en": "--pdf and --pptx name the same file ({path}): give two different files.",
    },
    "cli.template_written": {
        "id": "Templat ditulis ke {path}",
        "en": "Template written to {path}",
    },
    # --- kinds of file, named in problems -------------------------------------------------------
    "kind.pdf": {"id": "dokumen PDF", "en": "a PDF document"},
    "kind.image": {"id": "gambar", "en": "an image"},
    "kind.html": {
        "id": "halaman HTML (sering disimpan dengan akhiran .xls)",
        "en": "an HTML page (often saved with an .xls ending)",
    },
    "kind.xml": {
        "id": "berkas XML (misalnya 'XML Spreadsheet 2003')",
        "en": "an XML file (e.g. 'XML Spreadsheet 2003')",
    },
    "kind.archive": {"id": "arsip terkompresi (gzip/rar/7z)", "en": "a compressed archive (gzip/rar/7z)"},
    "kind.text": {"id": "teks atau CSV", "en": "text or CSV"},
    "kind.unknown": {"id": "format tidak dikenal", "en": "an unknown format"},
    "kind.docx": {"id": "dokumen Word (.docx)", "en": "a Word document (.docx)"},
    "kind.pptx": {"id": "presentasi PowerPoint (.pptx)", "en": "a PowerPoint presentation (.pptx)"},
    "kind.device": {"id": "perangkat", "en": "a device"},
    "kind.fifo": {"id": "pipa bernama (FIFO)", "en": "a named pipe (FIFO)"},
    "kind.socket": {"id": "soket", "en": "a socket"},
    "kind.special": {"id": "berkas khusus", "en": "a special file"},
    "kind.ods": {
        "id": "lembar kerja OpenDocument (.ods); simpan sebagai .xlsx dari LibreOffice",
        "en": "an OpenDocument spreadsheet (.ods); save it as .xlsx from LibreOffice",
    },
    # --- package-level problems (the file is not a usable workbook) -------------------------
    "problem.empty_file.message": {"id": "Berkas kosong (0 bita).", "en": "The file is empty (0 bytes)."},
    "problem.empty_file.fix": {
        "id": "Unggah ulang buku kerja .xlsx yang berisi data.",
        "en": "Upload the .xlsx workbook again, with its data.",
    },
    "problem.file_too_large.message": {
        "id": "Berkas berukuran {size:n} bita, melebihi batas {limit_mb:n} MB ({limit:n} bita).",
        "en": "The file is {size:n byte|bytes}, over the {limit_mb:n} MB limit ({limit:n byte|bytes}).",
    },
    "problem.file_too_large.fix": {
        "id": "Hapus lembar, gambar, atau baris kosong yang tidak diperlukan, lalu simpan ulang.",
        "en": "Remove sheets, images or empty rows that are not needed, then save again.",
    },
    "problem.legacy_xls.message": {
        "id": "Berkas ini format Excel lama (.xls), bukan .xlsx.",
        "en": "This file is in the old Excel format (.xls), not .xlsx.",
    },
    "problem.legacy_xls.fix": {
        "id": "Buka di Excel atau LibreOffice, lalu Simpan Sebagai 'Buku Kerja Excel (.xlsx)'.",
        "en": "Open it in Excel or LibreOffice and Save As 'Excel Workbook (.xlsx)'.",
    },
    "problem.encrypted_workbook.message": {
        "id": "Buku kerja dilindungi kata sandi (terenkripsi), sehingga isinya tidak dapat dibaca.",
        "en": "The workbook is password-protected (encrypted), so its content cannot be read.",
    },
    "problem.encrypted_workbook.fix": {
        "id": "Buka berkas, hapus kata sandi (File > Info > Lindungi Buku Kerja), simpan, lalu unggah ulang.",
        "en": "Open the file, remove the password (File > Info > Protect Workbook), save and upload again.",
    },
    "problem.not_a_zip.message": {
        "id": "Berkas ini bukan buku kerja Excel .xlsx (terdeteksi: {kind}).",
        "en": "This file is not an Excel .xlsx workbook (detected: {kind}).",
    },
    "problem.not_a_zip.fix": {
        "id": "Gunakan templat RB Dash (.xlsx) atau simpan berkas sebagai 'Buku Kerja Excel (.xlsx)'.",
        "en": "Use the RB Dash template (.xlsx) or save the file as 'Excel Workbook (.xlsx)'.",
    },
    "problem.corrupt_zip.message": {
        "id": "Berkas .xlsx rusak atau terpotong ({detail}).",
        "en": "The .xlsx file is damaged or truncated ({detail}).",
    },
    "problem.corrupt_zip.fix": {
        "id": "Unduh atau salin ulang berkas dari sumber aslinya, buka di Excel untuk memastikan utuh, lalu unggah ulang.",
        "en": "Download or copy the file again from its source, check it opens in Excel, then upload again.",
    },
    "problem.foreign_package.message": {
        "id": "Berkas ini {kind}, bukan buku kerja Excel .xlsx.",
        "en": "This file is {kind}, not an Excel .xlsx workbook.",
    },
    "problem.foreign_package.fix": {
        "id": "Unggah buku kerja Rencana Aksi dalam format .xlsx.",
        "en": "Upload the action-plan workbook as an .xlsx file.",
    },
    "problem.zip_encrypted_entry.message": {
        "id": "Bagian '{entry}' di dalam berkas terenkripsi.",
        "en": "Part '{entry}' inside the file is encrypted.",
    },
    "problem.zip_encrypted_entry.fix": {
        "id": "Simpan ulang buku kerja tanpa kata sandi dari Excel atau LibreOffice.",
        "en": "Save the workbook again without a password from Excel or LibreOffice.",
    },
    "problem.too_many_entries.message": {
        "id": "Berkas berisi {count:n} bagian, melebihi batas {limit:n}.",
        "en": "The file holds {count:n part|parts}, over the limit of {limit:n}.",
    },
    "problem.too_many_entries.fix": {
        "id": "Simpan ulang sebagai .xlsx biasa dari Excel atau LibreOffice; hapus lembar atau gambar yang tidak perlu.",
        "en": "Save again as a plain .xlsx from Excel or LibreOffice; remove unneeded sheets or images.",
    },
    "problem.zip_bomb_size.message": {
        "id": "Isi berkas bila dibuka berukuran {size_mb:n} MB, melebihi batas {limit_mb:n} MB (kemungkinan 'bom dekompresi').",
        "en": "The file's content unpacks to {size_mb:n} MB, over the {limit_mb:n} MB limit (possible decompression bomb).",
    },
    "problem.zip_bomb_size.fix": {
        "id": "Pastikan berkas berasal dari sumber tepercaya; hapus baris atau lembar kosong yang berlebihan, lalu simpan ulang.",
        "en": "Check the file comes from a trusted source; remove excess empty rows or sheets and save again.",
    },
    "problem.zip_bomb_ratio.message": {
        "id": "Bagian '{entry}' memiliki rasio kompresi {ratio}:1, melebihi batas {limit:n}:1 (kemungkinan 'bom dekompresi').",
        "en": "Part '{entry}' has a compression ratio of {ratio}:1, over the {limit:n}:1 limit (possible decompression bomb).",
    },
    "problem.zip_bomb_ratio.fix": {
        "id": "Pastikan berkas berasal dari sumber tepercaya; hapus isi berulang yang berlebihan, lalu simpan ulang.",
        "en": "Check the file comes from a trusted source; remove excessive repeated content and save again.",
    },
    "problem.zip_size_mismatch.message": {
        "id": "Bagian '{entry}' tidak sesuai dengan ukuran atau checksum yang dinyatakan (berkas rusak atau dimanipulasi).",
        "en": "Part '{entry}' does not match its declared size or checksum (damaged or tampered file).",
    },
    "problem.zip_size_mismatch.fix": {
        "id": "Buka dan simpan ulang berkas di Excel atau LibreOffice, lalu unggah ulang.",
        "en": "Open and save the file again in Excel or LibreOffice, then upload again.",
    },
    "problem.xml_dtd.message": {
        "id": "Bagian '{entry}' berisi deklarasi DTD/ENTITY XML yang tidak diizinkan.",
        "en": "Part '{entry}' contains an XML DTD/ENTITY declaration, which is not allowed.",
    },
    "problem.xml_dtd.fix": {
        "id": "Berkas ini tidak dibuat oleh Excel, LibreOffice, atau Google Sheets; gunakan templat RB Dash.",
        "en": "This file was not made by Excel, LibreOffice or Google Sheets; use the RB Dash template.",
    },
    "problem.xml_malformed.message": {
        "id": "Bagian '{entry}' bukan XML yang sah ({detail}).",
        "en": "Part '{entry}' is not well-formed XML ({detail}).",
    },
    "problem.xml_malformed.fix": {
        "id": "Buka dan simpan ulang berkas di Excel atau LibreOffice, lalu unggah ulang.",
        "en": "Open and save the file again in Excel or LibreOffice, then upload again.",
    },
    "problem.sheet_too_large.message": {
        "id": "Lembar '{sheet}' menyatakan rentang {ref} ({rows:n} baris x {cols:n} kolom), melebihi batas {max_rows:n} baris x {max_cols:n} kolom.",
        "en": "Sheet '{sheet}' declares range {ref} ({rows:n row|rows} x {cols:n column|columns}), over the limit of {max_rows:n row|rows} x {max_cols:n column|columns}.",
    },
    "problem.sheet_too_large.fix": {
        "id": "Hapus baris dan kolom kosong di bawah/kanan tabel (pilih, klik kanan > Hapus), lalu simpan ulang.",
        "en": "Delete the empty rows and columns below/right of the table (select, right-click > Delete), then save again.",
    },
    "problem.sheet_extent_too_large.message": {
        "id": "Lembar '{sheet}' memiliki isi di sel {far_cell} (baris {row:n}, kolom {col}), jauh di luar tabel, apa pun rentang yang dinyatakan berkas; batasnya {max_rows:n} baris x {max_cols:n} kolom.",
        "en": "Sheet '{sheet}' has content in cell {far_cell} (row {row:n}, column {col}), far outside the table, whatever range the file declares; the limit is {max_rows:n row|rows} x {max_cols:n column|columns}.",
    },
    "problem.sheet_extent_too_large.fix": {
        "id": "Di Excel tekan Ctrl+End pada lembar '{sheet}' untuk menemukan sel terjauh; hapus baris dan kolom di luar tabel (pilih, klik kanan > Hapus), simpan, lalu unggah ulang.",
        "en": "In Excel press Ctrl+End on sheet '{sheet}' to find the farthest cell; delete the rows and columns outside the table (select, right-click > Delete), save and upload again.",
    },
    "problem.sheet_row_too_far.message": {
        "id": "Lembar '{sheet}' memiliki baris {row:n} di dalam berkas, jauh di luar tabel (batas {max_rows:n} baris), apa pun rentang yang dinyatakan berkas.",
        "en": "Sheet '{sheet}' has a row {row:n} in the file, far outside the table (limit {max_rows:n row|rows}), whatever range the file declares.",
    },
    "problem.sheet_row_too_far.fix": {
        "id": "Di Excel tekan Ctrl+End pada lembar '{sheet}'; hapus semua baris di bawah tabel (pilih, klik kanan > Hapus), simpan, lalu unggah ulang.",
        "en": "In Excel press Ctrl+End on sheet '{sheet}'; delete all rows below the table (select, right-click > Delete), save and upload again.",
    },
    "problem.sheet_area_too_large.message": {
        "id": "Lembar '{sheet}' membentang sampai sel {cell} ({rows:n} baris x {cols:n} kolom = {cells:n} sel), melebihi batas {max_cells:n} sel per lembar.",
        "en": "Sheet '{sheet}' spans to cell {cell} ({rows:n row|rows} x {cols:n column|columns} = {cells:n cell|cells}), over the limit of {max_cells:n cell|cells} per sheet.",
    },
    "problem.sheet_area_too_large.fix": {
        "id": "Di Excel tekan Ctrl+End pada lembar '{sheet}' untuk menemukan sel terjauh; hapus baris dan kolom kosong atau tak terpakai di luar tabel (pilih, klik kanan > Hapus), simpan, lalu unggah ulang.",
        "en": "In Excel press Ctrl+End on sheet '{sheet}' to find the farthest cell; delete the empty or unused rows and columns outside the table (select, right-click > Delete), save and upload again.",
    },
    "problem.workbook_area_too_large.message": {
        "id": "Lembar-lembar buku kerja ini bersama-sama membentang {cells:n} sel, melebihi batas {max_cells:n} sel; yang terbesar: {sheets}.",
        "en": "The sheets of this workbook together span {cells:n cell|cells}, over the limit of {max_cells:n}; the largest: {sheets}.",
    },
    "problem.workbook_area_too_large.fix": {
        "id": "Hapus lembar yang tidak diperlukan, dan di setiap lembar terbesar tekan Ctrl+End lalu hapus baris dan kolom di luar tabel; simpan, lalu unggah ulang.",
        "en": "Remove sheets that are not needed, and on each of the largest sheets press Ctrl+End and delete the rows and columns outside the table; save and upload again.",
    },
    "problem.sheet_grid_too_large.message": {
        "id": "Lembar '{sheet}' terbaca sampai {rows:n} baris dan {cols:n} kolom, melebihi batas {max_rows:n} baris x {max_cols:n} kolom atau {max_cells:n} sel (sel atau baris tanpa alamat yang jelas di dalam berkas, jauh di luar tabel).",
        "en": "Sheet '{sheet}' reads as {rows:n row|rows} and {cols:n column|columns}, over the limit of {max_rows:n row|rows} x {max_cols:n column|columns} or {max_cells:n cell|cells} (cells or rows without a plain address in the file, far outside the table).",
    },
    "problem.sheet_grid_too_large.fix": {
        "id": "Di Excel tekan Ctrl+End pada lembar '{sheet}'; hapus baris dan kolom di luar tabel (pilih, klik kanan > Hapus), simpan, lalu unggah ulang.",
        "en": "In Excel press Ctrl+End on sheet '{sheet}'; delete the rows and columns outside the table (select, right-click > Delete), save and upload again.",
    },
    "problem.part_too_large.message": {
        "id": "Bagian '{entry}' di dalam berkas berukuran lebih dari {limit_mb:n} MB bila dibuka.",
        "en": "Part '{entry}' inside the file unpacks to more than {limit_mb:n} MB.",
    },
    "problem.part_too_large.fix": {
        "id": "Berkas ini tidak tampak dibuat oleh Excel atau LibreOffice; buka dan simpan ulang, atau gunakan templat RB Dash.",
        "en": "This file does not look made by Excel or LibreOffice; open and save it again, or use the RB Dash template.",
    },
    "problem.part_missing.message": {
        "id": "Bagian '{entry}' yang dirujuk buku kerja tidak ada di dalam berkas.",
        "en": "Part '{entry}', which the workbook refers to, is missing from the file.",
    },
    "problem.part_missing.fix": {
        "id": "Berkas rusak atau tidak lengkap; buka dan simpan ulang di Excel atau LibreOffice, lalu unggah ulang.",
        "en": "The file is damaged or incomplete; open and save it again in Excel or LibreOffice, then upload again.",
    },
    "problem.not_a_regular_file.message": {
        "id": "'{name}' bukan berkas biasa ({kind}), sehingga tidak dibaca.",
        "en": "'{name}' is not a regular file ({kind}), so it is not read.",
    },
    "problem.not_a_regular_file.fix": {
        "id": "Sebutkan berkas buku kerja .xlsx yang tersimpan di disk.",
        "en": "Name an .xlsx workbook file saved on disk.",
    },
    "problem.worker_memory.message": {
        "id": "Membaca berkas ini memerlukan memori lebih dari batas {limit_mb:n} MB, sehingga pembacaan dihentikan (server tetap berjalan).",
        "en": "Reading this file needs more memory than the {limit_mb:n} MB limit, so the read was stopped (the server keeps running).",
    },
    "problem.worker_memory.fix": {
        "id": "Tekan Ctrl+End di setiap lembar untuk mencari sel terisi jauh di luar tabel; hapus baris, kolom, dan lembar yang tidak perlu, simpan, lalu unggah ulang.",
        "en": "Press Ctrl+End on each sheet to find filled cells far outside the table; delete unneeded rows, columns and sheets, save and upload again.",
    },
    "problem.worker_timeout.message": {
        "id": "Membaca berkas ini memakan waktu lebih dari batas {seconds} detik, sehingga pembacaan dihentikan.",
        "en": "Reading this file took longer than the {seconds}-second limit, so the read was stopped.",
    },
    "problem.worker_timeout.fix": {
        "id": "Kurangi ukuran berkas (hapus lembar dan baris yang tidak perlu) lalu unggah ulang; bila server sedang sibuk, coba lagi sebentar.",
        "en": "Make the file smaller (remove unneeded sheets and rows) and upload again; if the server is busy, try again shortly.",
    },
    "problem.worker_crashed.message": {
        "id": "Pembaca berkas berhenti tak terduga saat membaca berkas ini ({detail}); server tetap berjalan dan tidak ada yang berubah.",
        "en": "The file reader stopped unexpectedly on this file ({detail}); the server keeps running and nothing was changed.",
    },
    "problem.worker_crashed.fix": {
        "id": "Buka dan simpan ulang berkas di Excel atau LibreOffice, lalu unggah ulang; bila tetap gagal, kirim berkas ke administrator.",
        "en": "Open and save the file again in Excel or LibreOffice and upload again; if it still fails, send the file to the administrator.",
    },
    "problem.worker_busy.message": {
        "id": "Server sedang memeriksa berkas lain dan tidak ada tempat kosong dalam {seconds} detik.",
        "en": "The server is checking other files and no slot came free within {seconds:n second|seconds}.",
    },
    "problem.worker_busy.fix": {
        "id": "Coba lagi sebentar.",
        "en": "Try again shortly.",
    },
    "problem.unreadable_sheet.message": {
        "id": "Lembar '{sheet}' tidak dapat dibaca ({detail}).",
        "en": "Sheet '{sheet}' cannot be read ({detail}).",
    },
    "problem.unreadable_sheet.fix": {
        "id": "Buka dan simpan ulang berkas di Excel atau LibreOffice, lalu unggah ulang.",
        "en": "Open and save the file again in Excel or LibreOffice, then upload again.",
    },
    "problem.workbook_part_elsewhere.message": {
        "id": "Berkas ini menunjuk buku kerjanya di '{entry}', bukan di tempat Excel menyimpannya (xl/workbook.xml).",
        "en": "This file points to its workbook at '{entry}', not where Excel keeps it (xl/workbook.xml).",
    },
    "problem.workbook_part_elsewhere.fix": {
        "id": "Buka berkas di Excel atau LibreOffice, simpan ulang sebagai .xlsx, lalu unggah ulang.",
        "en": "Open the file in Excel or LibreOffice, save it again as .xlsx, and upload again.",
    },
    "problem.not_a_workbook.message": {
        "id": "Berkas ZIP ini tidak berisi buku kerja Excel (bagian '{entry}' tidak ada).",
        "en": "This ZIP file holds no Excel workbook (part '{entry}' is missing).",
    },
    "problem.not_a_workbook.fix": {
        "id": "Unggah buku kerja Rencana Aksi dalam format .xlsx.",
        "en": "Upload the action-plan workbook as an .xlsx file.",
    },
    "problem.macros_ignored.message": {
        "id": "Buku kerja berisi makro (VBA). Makro diabaikan: hanya nilai sel yang dibaca, dan makro tidak pernah dijalankan atau disimpan.",
        "en": "The workbook contains macros (VBA). They are ignored: only cell values are read, and macros are never run or kept.",
    },
    "problem.macros_ignored.fix": {
        "id": "Simpan sebagai 'Buku Kerja Excel (.xlsx)' tanpa makro.",
        "en": "Save as 'Excel Workbook (.xlsx)' without macros.",
    },
    "list.more": {"id": " dan {count:n} lainnya", "en": " and {count:n} more"},
    "problem.macro_strip_failed.message": {
        "id": "Buku kerja berisi makro, dan setelah makronya dibuang berkas tidak terbaca sama seperti aslinya; berkas tidak diterbitkan.",
        "en": "The workbook contains macros, and without them the file does not read as the original did; it was not published.",
    },
    "problem.macro_strip_failed.fix": {
        "id": "Buka di Excel, simpan sebagai 'Buku Kerja Excel (.xlsx)' tanpa makro, lalu unggah berkas .xlsx itu.",
        "en": "Open it in Excel, save as 'Excel Workbook (.xlsx)' without macros, and upload that .xlsx file.",
    },
    # --- package limits found by the attacker review: cell references, shared strings, merged cells ---
    "problem.cell_reference_unreadable.message": {
        "id": "Lembar '{sheet}' memiliki alamat sel atau baris yang tidak tertulis biasa (r=\"{ref}\", misalnya dengan kode karakter seperti &#71; atau tanda $); letak sel itu tidak dapat dipastikan, jadi berkas tidak dibaca.",
        "en": "Sheet '{sheet}' has a cell or row address that is not written plainly (r=\"{ref}\", for instance with a character code such as &#71; or a $ sign); where that cell lies cannot be told, so the file is not read.",
    },
    "problem.cell_reference_unreadable.fix": {
        "id": "Berkas ini tidak tampak dibuat oleh Excel atau LibreOffice; buka lembar '{sheet}' di Excel, simpan ulang sebagai .xlsx, lalu unggah ulang, atau gunakan templat RB Dash.",
        "en": "This file does not look made by Excel or LibreOffice; open sheet '{sheet}' in Excel, save it again as .xlsx and upload again, or use the RB Dash template.",
    },
    "problem.shared_strings_too_large.message": {
        "id": "Tabel teks bersama buku kerja ('{entry}') berisi {size_mb:n} MB dan {count:n} teks; batasnya {limit_mb:n} MB dan {max_count:n} teks.",
        "en": "The workbook's shared text table ('{entry}') holds {size_mb:n} MB and {count:n text|texts}; the limit is {limit_mb:n} MB and {max_count:n text|texts}.",
    },
    "problem.shared_strings_too_large.fix": {
        "id": "Hapus lembar, baris, dan kolom yang tidak dipakai (terutama teks panjang di luar tabel), simpan sebagai .xlsx baru, lalu unggah ulang; atau salin tabel ke templat RB Dash.",
        "en": "Delete unused sheets, rows and columns (long text outside the tables above all), save as a new .xlsx and upload again; or copy the tables into the RB Dash template.",
    },
    "problem.merged_ranges_too_many.message": {
        "id": "Lembar '{sheet}' memiliki {count:n} rentang sel gabungan, melebihi batas {max_ranges:n} rentang per lembar.",
        "en": "Sheet '{sheet}' has {count:n} merged cell ranges, over the limit of {max_ranges:n range|ranges} per sheet.",
    },
    "problem.merged_ranges_too_many.fix": {
        "id": "Di Excel pilih seluruh lembar '{sheet}', klik Beranda > Gabungkan & Tengahkan > Pisahkan Sel, gabungkan ulang hanya judul yang perlu, simpan, lalu unggah ulang.",
        "en": "In Excel select all of sheet '{sheet}', click Home > Merge & Center > Unmerge Cells, merge again only the headings that need it, save and upload again.",
    },
    "problem.cell_text_too_long.message": {
        "id": "Sel ini berisi teks {chars:n} karakter; satu sel Excel paling banyak {max_chars:n} karakter (berkas ini tidak dibuat oleh Excel atau telah diubah).",
        "en": "This cell holds a text of {chars:n character|characters}; an Excel cell holds at most {max_chars:n} (the file was not made by Excel, or was altered).",
    },
    "problem.cell_text_too_long.fix": {
        "id": "Perpendek teks di sel ini (misalnya pindahkan uraian panjang ke dokumen terpisah dan tulis rujukannya), simpan di Excel, lalu unggah ulang.",
        "en": "Shorten the text in this cell (e.g. move a long description to a separate document and refer to it), save in Excel, and upload again.",
    },
    "problem.merged_cells_too_many.message": {
        "id": "Rentang sel gabungan di lembar '{sheet}' ({count:n} rentang) mencakup {cells:n} sel tabel, melebihi batas {max_cells:n} sel.",
        "en": "The merged cell ranges of sheet '{sheet}' ({count:n range|ranges}) cover {cells:n cell|cells} of the table, over the limit of {max_cells:n cell|cells}.",
    },
    "problem.merged_cells_too_many.fix": {
        "id": "Di Excel pilih seluruh lembar '{sheet}', klik Beranda > Gabungkan & Tengahkan > Pisahkan Sel, gabungkan ulang hanya judul yang perlu, simpan, lalu unggah ulang.",
        "en": "In Excel select all of sheet '{sheet}', click Home > Merge & Center > Unmerge Cells, merge again only the headings that need it, save and upload again.",
    },
    "problem.formula_without_value.message": {
        "id": "{count:n} sel berisi rumus tanpa nilai tersimpan ({cells:n}); sel ini dianggap kosong, bukan 0.",
        "en": "{count:n cell|cells} hold a formula without a stored value ({cells:n}); they are read as empty, not 0.",
    },
    "problem.formula_without_value.fix": {
        "id": "Buka berkas di Excel atau LibreOffice agar rumus dihitung, simpan, lalu unggah ulang; atau ganti rumus dengan nilai.",
        "en": "Open the file in Excel or LibreOffice so the formulas are computed, save and upload again; or replace the formulas with values.",
    },
    # --- workbook structure --------------------------------------------------------------------
    "problem.missing_sheet.message": {
        "id": "Lembar '{sheet}' tidak ditemukan.",
        "en": "Sheet '{sheet}' was not found.",
    },
    "problem.missing_sheet.fix": {
        "id": "Tambahkan lembar bernama '{sheet}' dengan judul kolom seperti pada buku kerja bawaan (lembar Petunjuk menjelaskan setiap lembar).",
        "en": "Add a sheet named '{sheet}' with the column headers of the bundled workbook (its Petunjuk sheet explains each sheet).",
    },
    "problem.missing_sheet_renamed.message": {
        "id": "Lembar '{sheet}' tidak ditemukan; ada lembar '{found}' yang tidak dikenali.",
        "en": "Sheet '{sheet}' was not found; there is a sheet '{found}' that is not recognised.",
    },
    "problem.missing_sheet_renamed.fix": {
        "id": "Bila '{found}' adalah lembar '{sheet}', ganti namanya menjadi '{sheet}'.",
        "en": "If '{found}' is the '{sheet}' sheet, rename it to '{sheet}'.",
    },
    "problem.indicator_value_from_survey.message": {
        "id": "Nilai indikator IKM {code} bulan {month:n} adalah {value:n}, sedangkan IKM survei {period} (semua unit) adalah {survey:n}; dasbor, laporan, dan salindia memakai nilai survei.",
        "en": "IKM indicator {code} has {value:n} for month {month:n}, while the {period} survey's IKM (all units) is {survey:n}; the dashboard, the report and the deck use the survey's value.",
    },
    "problem.indicator_value_from_survey.fix": {
        "id": "Isi nilai yang sama dengan survei, atau kosongkan baris itu: nilai indikator IKM diambil dari survei untuk bulan terakhir setiap periode survei.",
        "en": "Enter the survey's value, or clear that row: an IKM indicator takes the survey's value for the last month of each survey period.",
    },
    "problem.indicator_value_not_survey_month.message": {
        "id": "Nilai indikator IKM {code} bulan {month:n} ({value:n}) tidak dipakai: indikator IKM mengambil nilainya dari survei, dan tidak ada periode survei yang berakhir di bulan itu.",
        "en": "IKM indicator {code}'s value for month {month:n} ({value:n}) is not used: an IKM indicator takes its values from the survey, and no survey period ends in that month.",
    },
    "problem.indicator_value_not_survey_month.fix": {
        "id": "Hapus baris itu, atau isi survei untuk periode yang berakhir di bulan itu (lembar Responden SKM atau IKM).",
        "en": "Delete that row, or fill in the survey for a period ending in that month (sheet Responden SKM or IKM).",
    },
    "problem.survey_after_as_of.message": {
        "id": "Periode survei {periods} dimulai setelah posisi data ({as_of}); periode itu tidak dihitung di dasbor, laporan, maupun salindia.",
        "en": "Survey periods {periods} start after the as-of date ({as_of}); they are not counted on the dashboard, in the report or the deck.",
    },
    "problem.survey_after_as_of.fix": {
        "id": "Bila survei itu sudah selesai, majukan 'Posisi Data Per' di lembar Info; bila bukan, periksa periodenya.",
        "en": "If that survey is done, move 'Posisi Data Per' on the Info sheet forward; if not, check its period.",
    },
    "problem.duplicate_sheet.message": {
        "id": "Lembar '{sheet}' dan '{other}' sama-sama dibaca sebagai '{expected}'; hanya '{sheet}' yang dipakai.",
        "en": "Sheets '{sheet}' and '{other}' both read as '{expected}'; only '{sheet}' is used.",
    },
    "problem.duplicate_sheet.fix": {
        "id": "Ganti nama atau hapus salah satu lembar.",
        "en": "Rename or delete one of the sheets.",
    },
    "problem.header_not_found.message": {
        "id": "Baris judul kolom tidak ditemukan di 20 baris pertama (dicari: {columns}).",
        "en": "The column header row was not found in the first 20 rows (looked for: {columns}).",
    },
    "problem.header_not_found.fix": {
        "id": "Tulis judul kolom persis seperti pada templat dalam satu baris di 20 baris pertama.",
        "en": "Write the column headers exactly as in the template, on one row within the first 20 rows.",
    },
    "problem.missing_column.message": {
        "id": "Kolom '{column}' tidak ditemukan pada baris judul (baris {row:n}).",
        "en": "Column '{column}' was not found in the header row (row {row:n}).",
    },
    "problem.missing_column.fix": {
        "id": "Tambahkan kolom berjudul '{column}' pada baris judul.",
        "en": "Add a column headed '{column}' to the header row.",
    },
    "problem.duplicate_column.message": {
        "id": "Kolom '{column}' muncul lebih dari sekali; yang dipakai hanya yang pertama.",
        "en": "Column '{column}' appears more than once; only the first is used.",
    },
    "problem.duplicate_column.fix": {
        "id": "Hapus atau ganti judul kolom yang ganda.",
        "en": "Remove or rename the duplicate column.",
    },
    "problem.missing_month_columns.message": {
        "id": "Kolom bulan {months} tidak ditemukan di bawah '{group}'.",
        "en": "Month columns {months} were not found under '{group}'.",
    },
    "problem.missing_month_columns.fix": {
        "id": "Beri judul 12 kolom bulan 1 sampai 12 (atau Jan sampai Des) di bawah '{group}'.",
        "en": "Head the 12 month columns 1 to 12 (or Jan to Dec) under '{group}'.",
    },
    "problem.no_plan_rows.message": {
        "id": "Lembar tidak berisi satu pun baris rencana aksi.",
        "en": "The sheet holds no action-plan rows.",
    },
    "problem.no_plan_rows.fix": {
        "id": "Isi baris rencana aksi di bawah baris judul, seperti pada templat.",
        "en": "Fill in action-plan rows below the header row, as in the template.",
    },
    "problem.missing_info_field.message": {
        "id": "Isian '{field}' tidak ada atau kosong.",
        "en": "Field '{field}' is missing or empty.",
    },
    "problem.missing_info_field.fix": {
        "id": "Tulis '{field}' di kolom ISIAN dan nilainya di kolom NILAI.",
        "en": "Write '{field}' in the ISIAN column and its value in the NILAI column.",
    },
    "problem.invalid_year.message": {
        "id": "Tahun '{value}' tidak sah.",
        "en": "Year '{value}' is not valid.",
    },
    "problem.invalid_year.fix": {
        "id": "Tulis tahun rencana aksi dengan empat angka, dari 2000 sampai 2100, misalnya 2022.",
        "en": "Write the plan's year with four digits, from 2000 to 2100, for example 2022.",
    },
    "problem.invalid_date.message": {
        "id": "Tanggal '{value}' tidak dapat dibaca.",
        "en": "Date '{value}' cannot be read.",
    },
    "problem.invalid_date.fix": {
        "id": "Isi sebagai tanggal Excel atau tulis seperti 2022-09-30 atau 30 September 2022.",
        "en": "Enter it as an Excel date or write it like 2022-09-30 or 30 September 2022.",
    },
    "problem.as_of_outside_year.message": {
        "id": "Posisi data per {as_of} tidak berada dalam tahun rencana {year}; tanggal ini diabaikan dan bulan terakhir yang memuat realisasi yang dipakai.",
        "en": "Data as of {as_of} is not within the plan year {year}; the date is set aside and the last month with realisation is used.",
    },
    "problem.as_of_outside_year.fix": {
        "id": "Perbaiki Tahun atau Posisi Data Per di lembar Info agar tanggalnya berada dalam tahun rencana.",
        "en": "Correct Tahun or Posisi Data Per on the Info sheet so that the date falls within the plan year.",
    },
    "problem.invalid_flag.message": {
        "id": "Nilai '{value}' untuk '{field}' tidak dikenali.",
        "en": "Value '{value}' for '{field}' is not recognised.",
    },
    "problem.invalid_flag.fix": {"id": "Tulis 'ya' atau 'tidak'.", "en": "Write 'ya' (yes) or 'tidak' (no)."},
    "problem.invalid_item_no.message": {
        "id": "NO '{value}' bukan nomor urut (bilangan bulat 1 sampai {max_no:n}); nilai ini diabaikan.",
        "en": "NO '{value}' is not an item number (a whole number from 1 to {max_no:n}); it is ignored.",
    },
    "problem.invalid_item_no.fix": {
        "id": "Tulis nomor urut indikator di bawah baris rencana aksinya: 1, 2, 3, dan seterusnya.",
        "en": "Write the indicator's number under its action-plan row: 1, 2, 3 and so on.",
    },
    "problem.responsible_not_listed.message": {
        "id": "PENANGGUNG JAWAB '{value}' tidak ada dalam Daftar Penanggung Jawab di lembar Info ({options}).",
        "en": "PENANGGUNG JAWAB '{value}' is not in the Daftar Penanggung Jawab list on the Info sheet ({options}).",
    },
    "problem.responsible_not_listed.fix": {
        "id": "Pilih nama dari daftar (panah di sel), atau tambahkan baris 'Daftar Penanggung Jawab' di lembar Info.",
        "en": "Pick a name from the list (the cell's arrow), or add a 'Daftar Penanggung Jawab' line on the Info sheet.",
    },
    # --- cell-level rules -----------------------------------------------------------------------
    "problem.missing_value.message": {
        "id": "Kolom '{column}' kosong.",
        "en": "Column '{column}' is empty.",
    },
    "problem.missing_value.fix": {
        "id": "Isi '{column}' pada baris ini, atau hapus baris bila tidak dipakai.",
        "en": "Fill in '{column}' on this row, or delete the row if it is not used.",
    },
    "problem.missing_code.message": {
        "id": "Baris rencana aksi tanpa KODE.",
        "en": "Action-plan row without a KODE (code).",
    },
    "problem.missing_code.fix": {
        "id": "Beri kode unik pada kolom KODE, misalnya RA-12.",
        "en": "Give the row a unique code in the KODE column, for example RA-12.",
    },
    "problem.duplicate_code.message": {
        "id": "Kode '{code}' sudah dipakai di sel {first_cell}.",
        "en": "Code '{code}' is already used in cell {first_cell}.",
    },
    "problem.duplicate_code.fix": {
        "id": "Setiap baris harus berkode unik; ganti salah satu kode.",
        "en": "Each row needs a unique code; change one of them.",
    },
    "problem.unknown_code.message": {
        "id": "Kode '{code}' tidak ada di lembar '{target}'.",
        "en": "Code '{code}' does not exist in sheet '{target}'.",
    },
    "problem.unknown_code.fix": {
        "id": "Pakai salah satu kode dari kolom KODE di lembar '{target}', atau tambahkan barisnya di sana.",
        "en": "Use one of the codes in the KODE column of sheet '{target}', or add that row there.",
    },
    "problem.duplicate_entry.message": {
        "id": "Data untuk {key} sudah ada di baris {first_row:n}.",
        "en": "Data for {key} already exists on row {first_row:n}.",
    },
    "problem.duplicate_entry.fix": {
        "id": "Gabungkan menjadi satu baris atau hapus salah satunya.",
        "en": "Merge them into one row or delete one.",
    },
    "problem.invalid_month.message": {
        "id": "Bulan '{value}' tidak sah (harus 1 sampai 12).",
        "en": "Month '{value}' is not valid (must be 1 to 12).",
    },
    "problem.invalid_month.fix": {
        "id": "Tulis angka bulan 1 sampai 12 atau nama bulan (Jan, Feb, ..., Des).",
        "en": "Write the month number 1 to 12 or a month name (Jan, Feb, ..., Dec).",
    },
    "problem.unknown_status.message": {
        "id": "Status '{value}' tidak dikenali.",
        "en": "Status '{value}' is not recognised.",
    },
    "problem.unknown_status.fix": {
        "id": "Pilih salah satu: {allowed}.",
        "en": "Choose one of: {allowed}.",
    },
    "problem.not_a_number.message": {
        "id": "'{value}' pada kolom '{column}' bukan angka.",
        "en": "'{value}' in column '{column}' is not a number.",
    },
    "problem.not_a_number.fix": {
        "id": "Tulis angka saja, misalnya 88,31 atau 75 (tanpa satuan atau teks).",
        "en": "Write a number only, for example 88.31 or 75 (no unit or text).",
    },
    "problem.number_out_of_range.message": {
        "id": "Nilai {value} pada kolom '{column}' di luar rentang {low} sampai {high}.",
        "en": "Value {value} in column '{column}' is outside {low} to {high}.",
    },
    "problem.number_out_of_range.fix": {
        "id": "Tulis nilai antara {low} dan {high}.",
        "en": "Write a value between {low} and {high}.",
    },
    "problem.answer_out_of_range.message": {
        "id": "Jawaban '{value}' untuk unsur {column} di luar skala 1 sampai 4.",
        "en": "Answer '{value}' for element {column} is outside the 1 to 4 scale.",
    },
    "problem.answer_out_of_range.fix": {
        "id": "Tulis 1, 2, 3 atau 4 (1 = tidak baik, 4 = sangat baik); kosongkan bila tidak dijawab.",
        "en": "Write 1, 2, 3 or 4 (1 = poor, 4 = very good); leave empty if not answered.",
    },
    "problem.zero_respondents.message": {
        "id": "Periode {period}, unit {unit}: jumlah responden 0, sehingga IKM tidak dapat dihitung.",
        "en": "Period {period}, unit {unit}: zero respondents, so the IKM cannot be computed.",
    },
    "problem.zero_respondents.fix": {
        "id": "Isi jumlah responden yang sebenarnya, atau hapus baris periode ini.",
        "en": "Enter the actual number of respondents, or delete this period's row.",
    },
    "problem.invalid_period.message": {
        "id": "Periode '{value}' tidak dapat dibaca.",
        "en": "Period '{value}' cannot be read.",
    },
    "problem.invalid_period.fix": {
        "id": "Tulis periode seperti 2022-06 (bulan), 2022-TW2 (triwulan), 2022-S1 (semester) atau 2022 (tahun).",
        "en": "Write the period like 2022-06 (month), 2022-TW2 (quarter), 2022-S1 (half-year) or 2022 (year).",
    },
    "problem.period_outside_year.message": {
        "id": "Periode '{value}' berada di luar tahun rencana aksi {year}.",
        "en": "Period '{value}' lies outside the action-plan year {year}.",
    },
    "problem.period_outside_year.fix": {
        "id": "Periksa tahun pada periode atau isian 'Tahun' di lembar Info.",
        "en": "Check the year of the period or the 'Tahun' field on the Info sheet.",
    },
    "problem.survey_conflict.message": {
        "id": "Periode {period}, unit {unit} ada di lembar '{sheet}' dan '{other}'.",
        "en": "Period {period}, unit {unit} appears in both sheet '{sheet}' and '{other}'.",
    },
    "problem.survey_conflict.fix": {
        "id": "Simpan hasil satu periode dan unit di satu lembar saja.",
        "en": "Keep one period and unit in one sheet only.",
    },
    "problem.unknown_tick.message": {
        "id": "Isi '{value}' pada kolom bulan {month} tidak dikenali sebagai tanda jadwal; dianggap tidak terjadwal.",
        "en": "'{value}' in month column {month} is not recognised as a schedule tick; read as not scheduled.",
    },
    "problem.unknown_tick.fix": {
        "id": "Tulis ✓ (atau v, x, 1) pada bulan terjadwal dan kosongkan bulan lainnya.",
        "en": "Write ✓ (or v, x, 1) in scheduled months and leave the others empty.",
    },
    "problem.unknown_unit.message": {
        "id": "Satuan '{value}' tidak dikenali.",
        "en": "Unit '{value}' is not recognised.",
    },
    "problem.unknown_unit.fix": {"id": "Pilih salah satu: {allowed}.", "en": "Choose one of: {allowed}."},
    "problem.unknown_direction.message": {
        "id": "Arah '{value}' tidak dikenali.",
        "en": "Direction '{value}' is not recognised.",
    },
    "problem.unknown_direction.fix": {
        "id": "Tulis 'naik' (makin tinggi makin baik) atau 'turun' (makin rendah makin baik).",
        "en": "Write 'naik' (higher is better) or 'turun' (lower is better).",
    },
    "problem.row_without_schedule.message": {
        "id": "Baris '{code}' tidak punya satu pun bulan terjadwal.",
        "en": "Row '{code}' has no scheduled month.",
    },
    "problem.row_without_schedule.fix": {
        "id": "Beri tanda ✓ pada bulan pelaksanaannya.",
        "en": "Tick the months in which it is carried out.",
    },
    "problem.realisation_not_scheduled.message": {
        "id": "Realisasi '{code}' pada bulan {month}, padahal bulan itu tidak terjadwal di Rencana Aksi.",
        "en": "Realisation of '{code}' in month {month}, which is not scheduled in the action plan.",
    },
    "problem.realisation_not_scheduled.fix": {
        "id": "Periksa bulannya; bila memang dikerjakan di luar jadwal, catat alasannya di CATATAN.",
        "en": "Check the month; if the work was really done off-schedule, note why in CATATAN.",
    },
    "problem.more_problems.message": {
        "id": "... dan {count:n} masalah lain berkode '{code}' di lembar ini (tidak ditampilkan satu per satu).",
        "en": "... and {count:n more problem|more problems} with code '{code}' on this sheet (not listed one by one).",
    },
    "problem.more_problems.fix": {
        "id": "Perbaiki masalah yang ditampilkan; pola yang sama biasanya berulang di baris lain.",
        "en": "Fix the problems shown; the same pattern usually repeats on the other rows.",
    },
    "problem.unsur_without_answers.message": {
        "id": "Periode {period}, unit {unit}: unsur {unsur} tidak punya jawaban, sehingga IKM tidak dihitung.",
        "en": "Period {period}, unit {unit}: element {unsur} has no answers, so the IKM is not computed.",
    },
    "problem.unsur_without_answers.fix": {
        "id": "Isi jawaban unsur tersebut; IKM menurut PermenPANRB 14/2017 memerlukan kesembilan unsur.",
        "en": "Fill in that element's answers; the IKM of PermenPANRB 14/2017 needs all nine elements.",
    },
    # --- the version store ------------------------------------------------------------------------
    "store.unavailable": {
        "id": "Direktori data {path} tidak dapat dipakai: {reason}.",
        "en": "The data directory {path} cannot be used: {reason}.",
    },
    "store.database_unavailable": {
        "id": "Basis data {path} tidak dapat dipakai: {reason}.",
        "en": "The database {path} cannot be used: {reason}.",
    },
    "store.copy_target_not_empty": {
        "id": "Penyimpanan tujuan {target} tidak kosong ({rows:n} baris versi, pengguna, dan audit); tidak ada yang disalin. Salin hanya ke penyimpanan baru (direktori data kosong atau basis data baru), agar dua riwayat tidak tercampur.",
        "en": "The target store {target} is not empty ({rows:n version, user and audit row|version, user and audit rows}); nothing was copied. Copy only into a new store (an empty data directory or a new database), so that two histories are never mixed.",
    },
    "store.copy_needs_repair": {
        "id": "Versi {number} ({satker} {year}) di penyimpanan asal memuat nomor atau tahun yang bukan bilangan bulat (diubah tangan); tidak ada yang disalin. Jalankan `python -m rbdash store check` dan `store repair` pada penyimpanan asal, lalu salin lagi.",
        "en": "Version {number} ({satker} {year}) in the source store has a number or year that is not a whole number (edited by hand); nothing was copied. Run `python -m rbdash store check` and `store repair` on the source store, then copy again.",
    },
    "store.copy_no_source": {
        "id": "Penyimpanan asal {location} tidak ada (tidak ada basis data penyimpanan di sana); tidak ada yang disalin. Periksa --from.",
        "en": "The source store {location} does not exist (no store database there); nothing was copied. Check --from.",
    },
    "store.copy_source_empty": {
        "id": "Penyimpanan asal {source} kosong (tidak ada versi, pengguna, atau baris audit); tidak ada yang disalin. Periksa --from.",
        "en": "The source store {source} is empty (no versions, users or audit lines); nothing was copied. Check --from.",
    },
    "store.copy_bad_database_url": {
        "id": "{option} bukan alamat PostgreSQL yang dapat dibaca; tidak ada yang disalin. Tulis postgresql://pengguna@host:5432/namabasisdata dan taruh kata sandi di PGPASSWORD (atau tulis karakter %, @, /, : dan spasi dalam kata sandi dengan kode persen, misalnya @ menjadi %40).",
        "en": "{option} is not a PostgreSQL address that can be read; nothing was copied. Write postgresql://user@host:5432/databasename and put the password in PGPASSWORD (or percent-encode %, @, /, : and spaces in the password, e.g. @ as %40).",
    },
    "store.copy_bad_location": {
        "id": "'{location}' bukan penyimpanan: tulis sqlite:///path/direktori/data atau postgresql://pengguna@host/basisdata.",
        "en": "'{location}' is not a store: write sqlite:///path/to/data/directory or postgresql://user@host/database.",
    },
    "store.write_failed": {
        "id": "Versi baru tidak dapat disimpan di {path} ({reason}); versi sebelumnya tetap berlaku.",
        "en": "The new version could not be saved in {path} ({reason}); the previous version stays current.",
    },
    "store.no_such_version": {"id": "Versi {number} tidak ada.", "en": "Version {number} does not exist."},
    "store.file_missing": {
        "id": "Berkas versi {number} ({sha256}) tidak ditemukan di direktori data.",
        "en": "The file of version {number} ({sha256}) is missing from the data directory.",
    },
    "store.file_corrupt": {
        "id": "Berkas versi {number} tidak cocok dengan SHA-256-nya ({sha256}).",
        "en": "The file of version {number} does not match its SHA-256 ({sha256}).",
    },
    "store.bad_role": {
        "id": "Peran '{role}' tidak dikenal; pilih {roles}.",
        "en": "Unknown role '{role}'; choose {roles}.",
    },
    "store.weak_password": {
        "id": "Kata sandi minimal {chars:n} karakter.",
        "en": "Passwords need at least {chars:n character|characters}.",
    },
    "store.password_has_name": {
        "id": "Kata sandi tidak boleh memuat nama pengguna.",
        "en": "The password may not contain the user name.",
    },
    "store.guessable_password": {
        "id": "Kata sandi ini mudah ditebak (kata sandi umum, kata biasa, urutan papan ketik, pengulangan atau tanggal). Pakai beberapa kata yang tidak berhubungan, misalnya 'kopi-jendela-sungai-merah'.",
        "en": "This password is easy to guess (a common password, plain words, a keyboard run, repeats or a date). Use a few unrelated words, e.g. 'coffee-window-river-red'.",
    },
    "store.unchanged": {
        "id": "Isi berkas ini sama dengan versi {number} (versi saat ini); tidak ada versi baru yang dibuat.",
        "en": "This file's content equals version {number} (the current version); no new version was made.",
    },
    "store.removals_unconfirmed": {
        "id": "Berkas ini menghapus {removed:n} baris dari versi {number} ({detail}); tidak ada yang diterbitkan. Bila penghapusan itu memang dimaksud, konfirmasikan (di halaman Unggah Data, atau --allow-removals pada perintah), lalu terbitkan lagi.",
        "en": "This file removes {removed:n row|rows} from version {number} ({detail}); nothing was published. If the removal is intended, confirm it (on the Upload page, or --allow-removals on the command), then publish again.",
    },
    "store.sheet_missing": {
        "id": "Lembar '{sheet}' tidak ada (versi {number} memuat {rows:n} baris di sana); lembar yang tidak dikenali di berkas: {found}. Tidak ada yang diterbitkan: tambahkan lembar '{sheet}' dengan datanya.",
        "en": "Sheet '{sheet}' is missing (version {number} holds {rows:n row|rows} there); sheets in the file that are not recognised: {found}. Nothing was published: add sheet '{sheet}' with its data.",
    },
    "store.sheet_missing_close": {
        "id": "Lembar '{sheet}' tidak ada (versi {number} memuat {rows:n} baris di sana); ditemukan '{closest}'. Tidak ada yang diterbitkan: ganti namanya menjadi '{sheet}'.",
        "en": "Sheet '{sheet}' is missing (version {number} holds {rows:n row|rows} there); found '{closest}'. Nothing was published: rename it to '{sheet}'.",
    },
    "store.changed_since_preview": {
        "id": "Versi {number} diterbitkan setelah pratinjau Anda (terhadap versi {previewed}); tidak ada yang diterbitkan. Periksa perubahan terhadap versi {number}, lalu terbitkan lagi.",
        "en": "Version {number} was published after your preview (against version {previewed}); nothing was published. Check the changes against version {number}, then publish again.",
    },
    "store.commit_unknown": {
        "id": "Basis data tidak menjawab saat perubahan ini disimpan, sehingga belum pasti apakah perubahan itu tersimpan. Periksa Riwayat Versi (atau `python -m rbdash history`) sebelum mencoba lagi.",
        "en": "The database gave no answer while this change was being saved, so whether it was kept is not certain. Check Version History (or `python -m rbdash history`) before trying again.",
    },
    "cli.restore_changed": {
        "id": "Versi {number} diterbitkan setelah perintah ini membaca versi {previewed} sebagai versi saat ini; tidak ada yang diterbitkan ulang. Jalankan perintah itu lagi bila masih perlu.",
        "en": "Version {number} was published after this command read version {previewed} as the current one; nothing was published again. Run the command again if it is still needed.",
    },
    "store.changed_since_confirm": {
        "id": "Versi {number} diterbitkan setelah Anda membuka konfirmasi ini (terhadap versi {previewed}); tidak ada yang diterbitkan ulang. Periksa versi {number}, lalu pulihkan lagi bila masih perlu.",
        "en": "Version {number} was published after you opened this confirmation (against version {previewed}); nothing was published again. Check version {number}, then restore again if it is still needed.",
    },
    "store.unknown_satker": {
        "id": "Berkas ini untuk satker '{found}' (Info!{cell}), yang tidak dikenal dasbor ini; tidak ada yang diterbitkan. Nama terdekat yang dikenal: '{closest}'. Bila itu salah ketik, perbaiki sel tersebut lalu unggah lagi; satker baru ditambahkan admin server pada daftar offices di rbdash.toml.",
        "en": "This file is for the office '{found}' (Info!{cell}), which this dashboard does not know; nothing was published. Closest known name: '{closest}'. If it is a typo, correct that cell and upload again; a new office is added by the server's admin to the offices list in rbdash.toml.",
    },
    "store.unknown_satker_none_close": {
        "id": "Berkas ini untuk satker '{found}' (Info!{cell}), yang tidak dikenal dasbor ini; tidak ada yang diterbitkan. Tidak ada nama satker yang dikenal yang mirip. Tulis nama satker persis seperti dalam daftar satker di panel samping, lalu unggah lagi; satker baru ditambahkan admin server pada daftar offices di rbdash.toml.",
        "en": "This file is for the office '{found}' (Info!{cell}), which this dashboard does not know; nothing was published. No known office name is close to it. Write the office name exactly as the office list in the sidebar shows it, then upload again; a new office is added by the server's admin to the offices list in rbdash.toml.",
    },
    "store.out_of_scope": {
        "id": "Berkas ini untuk {satker} tahun {year}, sedangkan akun Anda hanya boleh menerbitkan untuk {scope}; tidak ada yang diterbitkan. Bila berkas ini memang untuk satker Anda, perbaiki nama satker di lembar Info; bila Anda perlu menerbitkan untuk satker lain, minta admin mengubah cakupan akun Anda.",
        "en": "This file is for {satker}, year {year}, but your account may publish only for {scope}; nothing was published. If the file is meant for your office, correct the office name on the Info sheet; if you need to publish for another office, ask an admin to change your account's scope.",
    },
    "store.admin_scope": {
        "id": "Admin selalu boleh menerbitkan untuk semua satker (*); cakupan '{scope}' hanya untuk viewer atau editor.",
        "en": "An admin may always publish for every office (*); the scope '{scope}' is for a viewer or an editor only.",
    },
    "store.bad_scope": {
        "id": "Cakupan '{scope}' tidak dikenal: tulis * (semua satker) atau salah satu satker: {offices}.",
        "en": "Unknown scope '{scope}': write * (every office) or one of the offices: {offices}.",
    },
    "store.bad_scope_close": {
        "id": "Cakupan '{scope}' tidak dikenal (maksud Anda '{closest}'?): tulis * (semua satker) atau salah satu satker: {offices}.",
        "en": "Unknown scope '{scope}' (did you mean '{closest}'?): write * (every office) or one of the offices: {offices}.",
    },
    "store.busy": {
        "id": "Penyimpanan sedang dipakai proses lain (kunci tulis ditahan lebih dari {seconds} detik, misalnya penerbitan yang belum selesai); tidak ada yang berubah. Coba lagi sebentar lagi; bila berulang, beri tahu admin.",
        "en": "The store is in use by another process (its write lock has been held for more than {seconds:n second|seconds}, for instance by a publish that has not finished); nothing was changed. Try again shortly; if it keeps happening, tell an admin.",
    },
    "store.read_only": {
        "id": "Direktori data hanya dapat dibaca oleh server ({reason}): dasbor tetap dapat dilihat, tetapi menerbitkan, memulihkan, dan mengubah pengguna tidak dapat dilakukan sampai admin memulihkan izin tulis atau ruang disk.",
        "en": "The server can only read the data directory ({reason}): the dashboard can still be viewed, but publishing, restoring and changing users cannot be done until an admin restores write access or disk space.",
    },
    "store.ambiguous_version": {
        "id": "Ada beberapa versi {number} ({choices}); sebutkan satker dan tahunnya (--satker, --year).",
        "en": "There are several versions {number} ({choices}); name the office and year (--satker, --year).",
    },
    "store.damaged": {
        "id": "Basis data di direktori data {path} rusak ({reason}). Jalankan `python -m rbdash store check`, lalu `store repair` (menyalin semua yang masih terbaca ke basis data baru; berkas lama disimpan).",
        "en": "The database in the data directory {path} is damaged ({reason}). Run `python -m rbdash store check`, then `store repair` (copies everything still readable into a new database; the old file is kept).",
    },
    "store.unavailable_public": {
        "id": "Data dasbor sedang tidak dapat dibaca. Beri tahu admin; sebabnya tercatat di log server, dan `python -m rbdash store check` di server menjelaskannya.",
        "en": "The dashboard's data cannot be read at the moment. Tell an admin; the cause is in the server log, and `python -m rbdash store check` on the server explains it.",
    },
    "store.no_versions": {
        "id": "Tidak ada versi tersimpan yang dapat ditampilkan. Admin: jalankan `python -m rbdash store check`, lalu `store repair`; editor dapat menerbitkan berkas di Unggah Data.",
        "en": "There is no stored version to show. Admins: run `python -m rbdash store check`, then `store repair`; editors can publish a file on Unggah Data.",
    },
    "store.no_versions_office": {
        "id": "Belum ada versi rencana aksi {satker} untuk ditampilkan. Pilih satker atau tahun lain di panel samping; editor satker ini dapat menerbitkan buku kerjanya di Unggah Data.",
        "en": "There is no version of the action plan of {satker} to show yet. Choose another office or year in the sidebar; this office's editors can publish its workbook on Unggah Data.",
    },
    "store.no_intact_version": {
        "id": "Berkas setiap versi tersimpan hilang atau rusak. Admin: jalankan `python -m rbdash store check`; editor dapat menerbitkan berkas yang baik di Unggah Data.",
        "en": "The file of every stored version is missing or damaged. Admins: run `python -m rbdash store check`; editors can publish a good file on Unggah Data.",
    },
    "store.passed_over": {
        "id": "Berkas versi {number} hilang atau rusak; dasbor menampilkan versi {shown}. Terbitkan ulang versi yang baik di Riwayat, dan jalankan `python -m rbdash store check`.",
        "en": "The file of version {number} is missing or damaged; the dashboard shows version {shown}. Publish a good version again on Riwayat, and run `python -m rbdash store check`.",
    },
    "store.passed_over_all": {
        "id": "Berkas versi {number} hilang atau rusak; tidak ada versi utuh untuk ditampilkan. Terbitkan buku kerja yang baik di Unggah Data, atau pulihkan folder files/ dari cadangan, lalu jalankan `python -m rbdash store check`.",
        "en": "The files of versions {number} are missing or damaged; no intact version is left to show. Publish a good workbook on Unggah Data, or restore the files/ folder from a backup, then run `python -m rbdash store check`.",
    },
    "store.user_exists": {"id": "Pengguna '{name}' sudah ada.", "en": "User '{name}' already exists."},
    "store.no_such_user": {"id": "Pengguna '{name}' tidak ada.", "en": "User '{name}' does not exist."},
    "store.bad_user_name": {
        "id": "Nama pengguna harus diisi, paling panjang {chars:n} karakter, tanpa karakter kendali.",
        "en": "A user name is required, at most {chars:n character|characters}, without control characters.",
    },
    "store.last_admin": {
        "id": "'{name}' adalah admin terakhir dan tidak dapat dihapus; tambahkan admin lain lebih dulu.",
        "en": "'{name}' is the last admin and cannot be removed; add another admin first.",
    },
    "store.last_admin_role": {
        "id": "'{name}' adalah admin terakhir dan tetap admin; tambahkan admin lain lebih dulu.",
        "en": "'{name}' is the last admin and stays an admin; add another admin first.",
    },
    "store.comment_too_long": {
        "id": "Catatan versi ini {chars:n} karakter; paling banyak {max_chars:n}. Tulis ringkas apa yang berubah (rincian dapat disimpan di dokumen terpisah).",
        "en": "This version comment has {chars:n character|characters}; at most {max_chars:n}. Say briefly what changed (details can go in a separate document).",
    },
    "store.user_and_comment_required": {
        "id": "Nama penerbit dan catatan tidak boleh kosong: tulis siapa yang menerbitkan dan apa yang berubah.",
        "en": "The publisher's name and the comment must not be empty: say who publishes and what changed.",
    },
    "nav.dashboard": {"id": "Dasbor", "en": "Dashboard"},
    "nav.data": {"id": "Data", "en": "Data"},
    "nav.admin": {"id": "Admin", "en": "Admin"},
    "settings.unknown_key": {
        "id": "Pengaturan tidak dikenal '{name}' di {where}; periksa ejaannya (lihat README, bagian Limits, dan rbdash/config/).",
        "en": "Unknown setting '{name}' in {where}; check its spelling (see the README, section Limits, and rbdash/config/).",
    },
    "settings.bad_value": {
        "id": "Nilai pengaturan '{name}' di {where} tidak dapat dipakai: '{value}' (yang diterima: {expected}).",
        "en": "The setting '{name}' in {where} cannot be used: '{value}' (accepted: {expected}).",
    },
    "settings.bad_database_url": {
        "id": "Pengaturan '{name}' di {where} bukan alamat PostgreSQL yang dapat dibaca. Tulis postgresql://pengguna:katasandi@host:5432/namabasisdata; karakter %, @, /, : dan spasi dalam kata sandi ditulis dengan kode persen (misalnya @ menjadi %40), atau taruh kata sandi di PGPASSWORD. Hapus pengaturan itu untuk memakai penyimpanan SQLite di folder data.",
        "en": "The setting '{name}' in {where} is not a PostgreSQL address that can be read. Write postgresql://user:password@host:5432/databasename; %, @, /, : and spaces in the password are percent-encoded (e.g. @ as %40), or put the password in PGPASSWORD. Remove the setting to use the SQLite store in the data folder.",
    },
    "settings.empty_path": {
        "id": "Pengaturan '{name}' di {where} kosong. Isi dengan path folder data (misalnya /srv/rbdash), atau hapus pengaturan itu untuk memakai folder bawaan.",
        "en": "The setting '{name}' in {where} is empty. Set it to the data folder's path (e.g. /srv/rbdash), or remove it to use the default folder.",
    },
    "settings.missing_file": {
        "id": "Berkas pengaturan {where} (RBDASH_CONFIG) tidak ada. Periksa path-nya, atau hapus RBDASH_CONFIG untuk memakai rbdash.toml di folder proyek.",
        "en": "The settings file {where} (RBDASH_CONFIG) does not exist. Check its path, or unset RBDASH_CONFIG to use rbdash.toml in the project folder.",
    },
    "settings.unreadable": {
        "id": "Berkas pengaturan {where} tidak dapat dibaca: {reason}",
        "en": "The settings file {where} cannot be read: {reason}",
    },
    "store.restore_comment": {"id": "pemulihan versi {number}", "en": "restore of version {number}"},
    "store.seed_comment": {"id": "versi awal dari data bawaan", "en": "first version, from the bundled data"},
    "cli.version_label": {"id": "versi {number}", "en": "version {number}"},
    "cli.bad_as_of": {
        "id": "--as-of '{value}' tidak sah: tulis YYYY-MM dalam tahun {year}.",
        "en": "--as-of '{value}' is not valid: write YYYY-MM within {year}.",
    },
    "cli.bad_quarter": {
        "id": "--quarter '{value}' tidak sah: tulis YYYY-TW1 sampai YYYY-TW4 dalam tahun {year}, misalnya {year}-TW3.",
        "en": "--quarter '{value}' is not valid: write YYYY-TW1 to YYYY-TW4 within {year}, e.g. {year}-TW3.",
    },
    "cli.bad_since": {
        "id": "--since '{value}' tidak sah: tulis nomor versi (lihat 'python -m rbdash history'), misalnya --since 3.",
        "en": "--since '{value}' is not valid: write a version number (see 'python -m rbdash history'), e.g. --since 3.",
    },
    "cli.since_not_older": {
        "id": "--since {number}: versi pembanding harus lebih lama dari versi {shown} yang dilaporkan.",
        "en": "--since {number}: the version compared with must be older than version {shown}, the one reported.",
    },
    "cli.quarter_after_as_of": {
        "id": "--quarter '{value}' dimulai sesudah posisi data buku kerja ({as_of}): belum ada datanya.",
        "en": "--quarter '{value}' begins after the workbook's data date ({as_of}): it has no data yet.",
    },
    "cli.report_needs_output": {
        "id": "Sebutkan --pdf BERKAS.pdf dan/atau --pptx BERKAS.pptx.",
        "en": "Give --pdf FILE.pdf and/or --pptx FILE.pptx.",
    },
    "cli.report_written": {"id": "Laporan ditulis ke {path}", "en": "Report written to {path}"},
    "cli.published": {
        "id": "Versi {number} diterbitkan ({satker} {year}).",
        "en": "Version {number} published ({satker} {year}).",
    },
    "cli.rejected": {
        "id": "Berkas ditolak: {errors:n} galat. Tidak ada yang berubah.",
        "en": "File rejected: {errors:n error|errors}. Nothing changed.",
    },
    "cli.restored": {
        "id": "Versi {old} diterbitkan ulang sebagai versi {number}.",
        "en": "Version {old} published again as version {number}.",
    },
    "cli.no_versions": {"id": "Belum ada versi.", "en": "No versions yet."},
    "cli.store_ok": {"id": "Penyimpanan {path}: tidak ada masalah.", "en": "Store {path}: no problems."},
    "cli.store_findings": {
        "id": "Penyimpanan {path}: {errors:n} masalah yang tidak dapat diperbaiki otomatis, {repairable:n} yang dapat diperbaiki dengan `store repair`.",
        "en": "Store {path}: {errors:n problem|problems} that cannot be repaired automatically, {repairable:n} that `store repair` can put right.",
    },
    "cli.store_repaired": {
        "id": "{count:n} perbaikan; jalankan `store check` lagi untuk melihat yang tersisa.",
        "en": "{count:n repair|repairs}; run `store check` again to see what is left.",
    },
    "cli.interrupted": {
        "id": "Dihentikan (Ctrl-C). Langkah yang terhenti sebelum selesai tidak mengubah penyimpanan; yang sudah dikatakan selesai di atas tetap berlaku.",
        "en": "Stopped (Ctrl-C). A step stopped before it finished changed nothing in the store; what was said above to be done stands.",
    },
    "cli.migrated": {
        "id": "Skema penyimpanan {location} kini versi {version} (migrasi yang diterapkan sekarang: {applied}).",
        "en": "The schema of the store {location} is now version {version} (migrations applied now: {applied}).",
    },
    "cli.migrate_current": {
        "id": "Skema penyimpanan {location} sudah mutakhir (versi {version}); tidak ada yang diubah.",
        "en": "The schema of the store {location} is up to date (version {version}); nothing was changed.",
    },
    "cli.copy_needs_both": {
        "id": "Sebutkan --from (penyimpanan asal) dan --to (penyimpanan tujuan yang masih kosong), misalnya --from sqlite:///srv/rbdash --to postgresql://rbdash@db/rbdash.",
        "en": "Give --from (the store to copy) and --to (the empty store to fill), e.g. --from sqlite:///srv/rbdash --to postgresql://rbdash@db/rbdash.",
    },
    "cli.copy_options_only": {
        "id": "--from dan --to hanya untuk `store copy`.",
        "en": "--from and --to are for `store copy` only.",
    },
    "cli.store_copied": {
        "id": "Disalin dari {source} ke {target}: {versions:n} versi ({files:n} berkas, masing-masing dicocokkan dengan SHA-256-nya), {users:n} pengguna, {audit:n} baris log audit.",
        "en": "Copied from {source} to {target}: {versions:n version|versions} ({files:n file|files}, each checked against its SHA-256), {users:n user|users}, {audit:n audit log line|audit log lines}.",
    },
    "cli.store_nothing_to_repair": {
        "id": "Tidak ada yang dapat diperbaiki otomatis.",
        "en": "Nothing could be repaired automatically.",
    },
    "check.no_database": {
        "id": "Basis data {path} tidak ada; periksa RBDASH_DATA_DIR.",
        "en": "The database {path} does not exist; check RBDASH_DATA_DIR.",
    },
    "check.database_damaged": {
        "id": "Basis data rusak ({detail}). Hentikan server, lalu jalankan `store repair`: semua baris yang masih terbaca disalin ke basis data baru, berkas lama disimpan di sampingnya.",
        "en": "The database is damaged ({detail}). Stop the servers, then run `store repair`: every row still readable is copied into a new database, and the old file is kept beside it.",
    },
    "check.number_malformed": {
        "id": "Nomor versi '{number}' (berkas {sha256}) bukan bilangan bulat dan log audit tidak menunjukkan nomor aslinya; perbaiki baris itu di basis data, atau terbitkan berkasnya lagi.",
        "en": "Version number '{number}' (file {sha256}) is not a whole number and the audit log does not show its real number; correct that row in the database, or publish its file again.",
    },
    "check.number_rederivable": {
        "id": "Nomor versi '{number}' bukan bilangan bulat; menurut log audit nomornya {real}. `store repair` menuliskannya lagi.",
        "en": "Version number '{number}' is not a whole number; the audit log says it is {real}. `store repair` writes it again.",
    },
    "repair.number_restored": {
        "id": "Nomor versi '{number}' ditulis lagi sebagai {real} dari log audit.",
        "en": "Version number '{number}' written again as {real} from the audit log.",
    },
    "repair.database_not_salvaged": {
        "id": "Basis data tidak dapat dibangun ulang: tidak ada satu baris pun yang terbaca ({detail}). Basis data dibiarkan apa adanya dan tidak ada berkas yang diubah; pulihkan rbdash.sqlite3 dari cadangan.",
        "en": "The database could not be rebuilt: not one row could be read ({detail}). The database is left as it is and no file was changed; restore rbdash.sqlite3 from a backup.",
    },
    "check.summary_malformed": {
        "id": "Ringkasan versi {number} rusak; `store repair` menghitungnya lagi dari berkasnya.",
        "en": "The summary of version {number} is malformed; `store repair` computes it again from its file.",
    },
    "check.row_missing": {
        "id": "Versi {number} tercatat di log audit tetapi barisnya hilang; `store repair` menuliskannya lagi dari log audit dan berkasnya.",
        "en": "Version {number} is in the audit log but its row is missing; `store repair` writes it again from the audit log and its file.",
    },
    "check.unreferenced_file": {
        "id": "Berkas {path} tidak dirujuk versi mana pun (mungkin sisa penerbitan yang terhenti); dibiarkan. Hapus hanya setelah memastikan versinya tidak diperlukan.",
        "en": "The file {path} belongs to no version (perhaps left by an interrupted publish); kept. Delete it only once you are sure its version is not needed.",
    },
    "repair.database_rebuilt": {
        "id": "Basis data dibangun ulang: {rows:n} baris disalin; berkas rusak disimpan sebagai {kept}.",
        "en": "Database rebuilt: {rows:n row|rows} copied; the damaged file is kept as {kept}.",
    },
    "repair.row_restored": {
        "id": "Baris versi {number} ditulis lagi dari log audit dan berkasnya.",
        "en": "The row of version {number} was written again from the audit log and its file.",
    },
    "repair.summary_derived": {
        "id": "Ringkasan versi {number} dihitung lagi dari berkasnya.",
        "en": "The summary of version {number} was computed again from its file.",
    },
    "cli.user_added": {
        "id": "Pengguna '{name}' ({role}, cakupan: {scope}) ditambahkan.",
        "en": "User '{name}' ({role}, scope: {scope}) added.",
    },
    "cli.scope_changed": {
        "id": "Cakupan pengguna '{name}': {previous} -> {scope}.",
        "en": "Scope of user '{name}': {previous} -> {scope}.",
    },
    "cli.scope_required": {
        "id": "Sebutkan cakupan baru dengan --scope (nama satker, atau * untuk semua satker).",
        "en": "Name the new scope with --scope (an office's name, or * for every office).",
    },
    "cli.unknown_satker": {
        "id": "Satker '{satker}' tidak dikenal. Satker yang dikenal: {offices}.",
        "en": "Unknown office '{satker}'. Known offices: {offices}.",
    },
    "cli.unknown_satker_close": {
        "id": "Satker '{satker}' tidak dikenal (maksud Anda '{closest}'?). Satker yang dikenal: {offices}.",
        "en": "Unknown office '{satker}' (did you mean '{closest}'?). Known offices: {offices}.",
    },
    "cli.from_satker_needs_from_year": {
        "id": "--from-satker memerlukan --from-year (tahun rencana yang barisnya dibawa).",
        "en": "--from-satker needs --from-year (the year whose plan rows are carried over).",
    },
    "cli.file_or_store": {
        "id": "--satker dan --year memilih versi dari penyimpanan; untuk berkas yang disebut, satker dan tahunnya adalah isi lembar Info berkas itu. Pakai salah satu.",
        "en": "--satker and --year choose a version from the store; a named file's office and year are what its Info sheet says. Use one or the other.",
    },
    "cli.bad_year": {
        "id": "Tahun {year} di luar rentang tahun rencana ({first} - {last}).",
        "en": "The year {year} is outside the plan years ({first} - {last}).",
    },
    "cli.user_removed": {"id": "Pengguna '{name}' dihapus.", "en": "User '{name}' removed."},
    "cli.role_changed": {
        "id": "Peran pengguna '{name}': {previous} -> {role} (cakupan: {scope}).",
        "en": "Role of user '{name}': {previous} -> {role} (scope: {scope}).",
    },
    "cli.role_required": {
        "id": "Sebutkan peran baru dengan --role ({roles}).",
        "en": "Name the new role with --role ({roles}).",
    },
    "cli.password_changed": {"id": "Kata sandi '{name}' diganti.", "en": "Password of '{name}' changed."},
    "cli.password_prompt": {"id": "Kata sandi: ", "en": "Password: "},
    "cli.password_again": {"id": "Ulangi kata sandi: ", "en": "Password again: "},
    "cli.password_mismatch": {
        "id": "Kedua kata sandi berbeda; tidak ada yang diubah.",
        "en": "The two passwords differ; nothing was changed.",
    },
    "cli.not_an_editor": {
        "id": "'{name}' bukan editor atau admin yang terdaftar. --user harus nama pengguna dengan peran editor atau admin (lihat: python -m rbdash users list).",
        "en": "'{name}' is not a registered editor or admin. --user must name a user with the editor or admin role (see: python -m rbdash users list).",
    },
    "cli.no_versions_of": {
        "id": "Belum ada versi rencana aksi {satker} tahun {year}.",
        "en": "There is no version of the action plan of {satker} for the year {year} yet.",
    },
    "cli.no_versions_office": {
        "id": "Belum ada versi rencana aksi {satker}.",
        "en": "There is no version of the action plan of {satker} yet.",
    },
    "cli.template_needs_year": {
        "id": "Sebutkan tahun rencana aksi dengan --year ({first} - {last}).",
        "en": "Name the plan's year with --year ({first} - {last}).",
    },
    "cli.carried_from": {
        "id": "rencana aksi {satker} tahun {year} (versi {number})",
        "en": "the action plan of {satker} for {year} (version {number})",
    },
    "cli.demo_refused": {
        "id": "Direktori data ini sudah dipakai ({count:n} versi, diterbitkan selain oleh pemasangan pertama); data contoh hanya diterbitkan ke direktori data baru. Jalankan dengan RBDASH_DATA_DIR ke folder kosong.",
        "en": "This data directory is in use ({count:n version|versions}, published by others than the first start); example data is published only into a new data directory. Run it with RBDASH_DATA_DIR pointing at an empty folder.",
    },
    "cli.demo_comment": {
        "id": "CONTOH: data contoh dari python -m rbdash demo, bukan data resmi",
        "en": "EXAMPLE: example data from python -m rbdash demo, not official data",
    },
    "cli.demo_published": {
        "id": "CONTOH {satker} {year}: versi {number} diterbitkan.",
        "en": "EXAMPLE {satker} {year}: version {number} published.",
    },
    "cli.demo_invalid": {
        "id": "Buku kerja contoh {satker} {year} tidak lolos pemeriksaan; tidak diterbitkan (laporkan sebagai galat RB Dash).",
        "en": "The example workbook of {satker} {year} did not pass the checks; not published (report it as an RB Dash bug).",
    },
    "cli.demo_done": {
        "id": "{count:n} versi contoh diterbitkan ke {path}. Jalankan make run dan buka halaman Rekap.",
        "en": "{count:n} example versions published into {path}. Run make run and open the Rekap page.",
    },
    "cli.no_users": {"id": "Belum ada pengguna.", "en": "No users yet."},
    "template.source_blank": {
        "id": "Salin baris rencana aksi dari lampiran keputusan rencana aksi satker ini: satu baris per sub kegiatan, KODE unik di kolom S, centang bulan pelaksanaan.",
        "en": "Copy the plan rows from the annex of this office's action-plan decree: one row per sub-activity, a unique KODE in column S, a tick in each month it is scheduled.",
    },
    "template.source_carried": {
        "id": "Baris rencana dan indikator dibawa dari {source}; sesuaikan dengan keputusan rencana aksi tahun {year} (nomor, tanggal, target belum diisi).",
        "en": "Plan rows and indicators carried over from {source}; adjust them to the {year} action-plan decree (its number, date and targets are not filled in).",
    },
    # --- notes written into template headers ------------------------------------------------
    "note.plan.code": {
        "id": "Kode unik baris rencana aksi (misalnya RA-01). Jangan diubah setelah dipakai di lembar lain.",
        "en": "Unique code of the plan row (e.g. RA-01). Do not change it once other sheets use it.",
    },
    "note.plan.responsible": {
        "id": "Boleh diisi: unit atau orang yang bertanggung jawab atas baris ini (pilih dari daftar Penanggung "
        "Jawab di lembar Info). Keputusan tidak menyebutkannya; kosongkan bila belum ditetapkan.",
        "en": "Optional: the unit or person responsible for this row (pick from the Penanggung Jawab list on the "
        "Info sheet). The decree does not name them; leave it empty until decided.",
    },
    "note.indicators.indicator_code": {
        "id": "Kode unik indikator, misalnya RA-01.1.",
        "en": "Unique indicator code, e.g. RA-01.1.",
    },
    "note.indicators.plan_code": {
        "id": "KODE baris di lembar Rencana Aksi tempat indikator ini tercantum.",
        "en": "KODE of the row in the Rencana Aksi sheet that lists this indicator.",
    },
    "note.indicators.unit": {
        "id": "persen, dokumen, indeks, jumlah, atau ada/tidak.",
        "en": "persen (percent), dokumen (documents), indeks (index), jumlah (count) or ada/tidak (yes/no).",
    },
    "note.indicators.direction": {
        "id": "naik: makin tinggi makin baik; turun: makin rendah makin baik.",
        "en": "naik: higher is better; turun: lower is better.",
    },
    "note.indicators.target": {
        "id": "Target tahun ini. Kosongkan bila belum ditetapkan (jangan tulis 0).",
        "en": "This year's target. Leave empty when not set (do not write 0).",
    },
    "note.indicators.target_assumed": {
        "id": "'ya' bila target bukan dari keputusan (asumsi/contoh).",
        "en": "'ya' when the target does not come from the decree (assumed/example).",
    },
    "note.month": {
        "id": "Bulan 1 sampai 12 (atau Jan sampai Des).",
        "en": "Month 1 to 12 (or Jan to Dec).",
    },
    "note.realisation.status": {
        "id": "Selesai, Sebagian, Belum, atau Batal.",
        "en": "Selesai (done), Sebagian (partial), Belum (not done) or Batal (cancelled).",
    },
    "note.realisation.progress": {
        "id": "Persentase kemajuan 0 sampai 100.",
        "en": "Progress percentage 0 to 100.",
    },
    "note.indicator_values.value": {
        "id": "Nilai capaian bulan itu (angka; untuk ada/tidak tulis 1 atau 0).",
        "en": "The month's achieved value (a number; for ada/tidak write 1 or 0).",
    },
    "note.survey.period": {
        "id": "2022-06 (bulan), 2022-TW2 (triwulan), 2022-S1 (semester) atau 2022 (tahun).",
        "en": "2022-06 (month), 2022-TW2 (quarter), 2022-S1 (half-year) or 2022 (year).",
    },
    "note.survey.answer": {
        "id": "Jawaban responden 1 sampai 4 (1 = tidak baik, 4 = sangat baik).",
        "en": "Respondent's answer 1 to 4 (1 = poor, 4 = very good).",
    },
    "note.survey.nrr": {
        "id": "Nilai rata-rata (NRR) unsur, 1 sampai 4.",
        "en": "Mean score (NRR) of the element, 1 to 4.",
    },
    # --- texts written into workbooks --------------------------------------------------------
    "workbook.banner_example": {
        "id": "CONTOH: nilai di lembar '{sheet}' adalah data contoh untuk peragaan, bukan data resmi dan bukan dari keputusan.",
        "en": "EXAMPLE: the values on sheet '{sheet}' are example data for demonstration, not official data and not from the decree.",
    },
    "workbook.banner_plain": {
        "id": "{sheet}: isi satu baris per data di bawah judul kolom (lihat lembar Petunjuk).",
        "en": "{sheet}: one row per record below the column headers (see the Petunjuk sheet).",
    },
    "workbook.banner_indicators": {
        "id": "Indikator keberhasilan, dipecah verbatim dari kolom INDIKATOR KEBERHASILAN lampiran. SATUAN dan ARAH: klasifikasi RB Dash. Keputusan tidak memuat target: isi TARGET bila sudah ditetapkan.",
        "en": "Success indicators, split verbatim from the annex's INDIKATOR KEBERHASILAN column. SATUAN and ARAH: RB Dash's classification. The decree has no targets: fill TARGET once set.",
    },
    "workbook.banner_indicators_example": {
        "id": "Indikator keberhasilan, dipecah verbatim dari lampiran. SATUAN dan ARAH: klasifikasi RB Dash. TARGET dan BASELINE: CONTOH (asumsi), bukan dari keputusan; kosong berarti target belum ditetapkan.",
        "en": "Success indicators, split verbatim from the annex. SATUAN and ARAH: RB Dash's classification. TARGET and BASELINE: EXAMPLE (assumed), not from the decree; empty means no target set.",
    },
    "workbook.banner_nrr": {
        "id": "Hasil SKM per periode dan unit layanan sebagai NRR per unsur (1-4). Alternatif: isi jawaban per responden di lembar 'Responden SKM'.",
        "en": "Survey results per period and service unit as NRR per element (1-4). Alternatively fill answers per respondent on sheet 'Responden SKM'.",
    },
    "workbook.banner_nrr_example": {
        "id": "CONTOH: NRR per unsur di lembar ini adalah data contoh, bukan data resmi.",
        "en": "EXAMPLE: the NRR values on this sheet are example data, not official data.",
    },
    "workbook.target_assumed_note": {
        "id": "CONTOH: target asumsi, bukan dari keputusan.",
        "en": "EXAMPLE: assumed target, not from the decree.",
    },
    "workbook.respondents_prompt": {
        "id": "Jumlah responden (bilangan bulat lebih dari 0).",
        "en": "Number of respondents (a whole number above 0).",
    },
    "guide.title": {
        "id": "PETUNJUK PENGISIAN BUKU KERJA RENCANA AKSI RB",
        "en": "HOW TO FILL IN THE RB ACTION-PLAN WORKBOOK",
    },
    "guide.intro": {
        "id": "Buku kerja ini dibaca oleh RB Dash. Jangan mengganti nama lembar atau judul kolom. Baris judul kolom ada di baris 3 (di Rencana Aksi: baris 6 sampai 8). Sel berwarna abu-abu adalah judul; arahkan kursor ke judul untuk melihat catatan pengisian. Untuk memeriksa berkas, unggah di halaman Unggah Data: halaman itu menunjukkan setiap galat (lembar, sel, perbaikan) dan setiap perubahan terhadap versi saat ini, dan tidak menerbitkan apa pun sampai Anda menekan tombol Terbitkan.",
        "en": "RB Dash reads this workbook. Do not rename sheets or column headers. Column headers are on row 3 (on Rencana Aksi: rows 6 to 8). Grey cells are headers; hover over a header to read its note. To check the file, upload it on the Upload page: it shows every error (sheet, cell, fix) and every change against the current version, and publishes nothing until you press Publish.",
    },
    "guide.info": {
        "id": "Info: isi Satker, Tahun, dan Posisi Data Per (tanggal terakhir data diperbarui, misalnya 2022-09-30). 'Berisi Data Contoh' diisi 'ya' hanya bila lembarnya berisi data contoh. Setiap baris 'Catatan' adalah satu catatan.",
        "en": "Info: fill in Satker, Tahun (year) and Posisi Data Per (the date the data was last updated, e.g. 2022-09-30). Set 'Berisi Data Contoh' to 'ya' only when that sheet holds example data. Each 'Catatan' row is one note.",
    },
    "guide.plan": {
        "id": "Rencana Aksi: salinan lampiran keputusan. Satu baris per sub kegiatan; tanda ✓ pada bulan pelaksanaan (v, x, 1 juga diterima). KODE (kolom S) harus unik dan tidak diubah, karena dipakai lembar lain. Sel yang tidak ada dalam salinan keputusan bertuliskan '[tidak ada dalam salinan]'. PENANGGUNG JAWAB (kolom T) boleh diisi: unit atau orang yang bertanggung jawab, dipilih dari baris 'Daftar Penanggung Jawab' di lembar Info (isi daftarnya dulu); dasbor lalu mengelompokkan daftar terlambat dan laporan menurutnya dan menyediakan filter.",
        "en": "Rencana Aksi: the decree's annex. One row per sub-activity; ✓ in each scheduled month (v, x, 1 are accepted too). KODE (column S) must be unique and never changed, as other sheets use it. Cells the decree's copy does not show read '[tidak ada dalam salinan]'. PENANGGUNG JAWAB (column T) is optional: the unit or person responsible, picked from the 'Daftar Penanggung Jawab' lines on the Info sheet (fill in that list first); the dashboard then groups the late lists and the report by it and offers a filter.",
    },
    "guide.indicators": {
        "id": "Indikator: satu baris per indikator keberhasilan dengan KODE baris rencana aksinya. SATUAN: persen, dokumen, indeks, jumlah, atau ada/tidak. ARAH: naik (makin tinggi makin baik) atau turun (makin rendah makin baik). Kosongkan TARGET bila belum ditetapkan; jangan tulis 0.",
        "en": "Indikator: one row per success indicator with the KODE of its plan row. SATUAN: persen, dokumen, indeks, jumlah or ada/tidak. ARAH: naik (higher is better) or turun (lower is better). Leave TARGET empty when not set; do not write 0.",
    },
    "guide.realisation": {
        "id": "Realisasi: setiap bulan, satu baris per KODE dan BULAN yang dikerjakan. STATUS: Selesai, Sebagian, Belum, atau Batal. PROGRES (%) 0 sampai 100. BUKTI: nama atau tautan dokumen pendukung.",
        "en": "Realisasi: each month, one row per KODE and BULAN worked on. STATUS: Selesai (done), Sebagian (partial), Belum (not done) or Batal (cancelled). PROGRES (%) 0 to 100. BUKTI: name or link of the evidence.",
    },
    "guide.indicator_values": {
        "id": "Capaian Indikator: satu baris per KODE INDIKATOR dan BULAN dengan NILAI capaian (untuk ada/tidak: 1 atau 0). Indikator IKM (SATUAN 'indeks' dan teksnya menyebut 'kepuasan' atau 'IKM') mengambil nilainya dari survei: IKM semua unit pada bulan terakhir setiap periode survei; nilai lain di bulan itu diabaikan dan diberi peringatan. Capaian dihitung dari baseline: (nilai − baseline) ÷ (target − baseline), 0–100 %; tanpa baseline, baseline dianggap 0; untuk ARAH turun: (baseline − nilai) ÷ (baseline − target).",
        "en": "Capaian Indikator: one row per KODE INDIKATOR and BULAN with the achieved NILAI (for ada/tidak: 1 or 0). An IKM indicator (SATUAN 'indeks' and a text naming 'kepuasan' or 'IKM') takes its value from the survey: the all-units IKM in the last month of each survey period; another value in that month is ignored with a warning. Completion is measured from the baseline: (value − baseline) ÷ (target − baseline), 0–100 %; without a baseline, the baseline is 0; for ARAH turun: (baseline − value) ÷ (baseline − target).",
    },
    "guide.survey": {
        "id": "Survei Kepuasan Masyarakat: isi lembar 'Responden SKM' (satu baris per responden, jawaban U1-U9 bernilai 1-4) ATAU lembar 'IKM' (NRR per unsur dan jumlah responden per periode dan unit). RB Dash menghitung IKM, nilai konversi (x25) dan mutu pelayanan A-D menurut PermenPANRB 14/2017.",
        "en": "Public satisfaction survey: fill sheet 'Responden SKM' (one row per respondent, answers U1-U9 from 1 to 4) OR sheet 'IKM' (NRR per element and respondents per period and unit). RB Dash computes the IKM, its x25 conversion and the service quality A-D per PermenPANRB 14/2017.",
    },
    "guide.upload": {
        "id": "Simpan sebagai .xlsx (Excel, LibreOffice Calc, atau unduh dari Google Sheets sebagai .xlsx). Jangan memakai kata sandi atau makro. Rumus boleh dipakai asal berkas disimpan setelah dihitung.",
        "en": "Save as .xlsx (Excel, LibreOffice Calc, or download from Google Sheets as .xlsx). Do not use passwords or macros. Formulas are fine if the file is saved after they are computed.",
    },
    # --- app (until the dashboard pages exist) ------------------------------------------------
    "app.title": {
        "id": "RB Dash — Rencana Aksi Reformasi Birokrasi",
        "en": "RB Dash — Bureaucratic Reform Action Plan",
    },
    "app.language": {"id": "Bahasa", "en": "Language"},
    "app.example_banner": {
        "id": "CONTOH: sebagian data di buku kerja ini adalah data contoh, bukan data resmi ({sheets}).",
        "en": "EXAMPLE: part of the data in this workbook is example data, not official data ({sheets}).",
    },
    "app.plan_heading": {"id": "Rencana Aksi {year} — {satker}", "en": "Action plan {year} — {satker}"},
    "app.as_of": {"id": "Posisi data per {date}", "en": "Data as of {date}"},
    "app.counts": {
        "id": "{rows:n} baris rencana, {row_months:n} bulan terjadwal, {indicators:n} indikator.",
        "en": "{rows:n plan row|plan rows}, {row_months:n scheduled row-month|scheduled row-months}, {indicators:n indicator|indicators}.",
    },
    "app.problems_heading": {"id": "Hasil validasi", "en": "Validation result"},
    "app.cannot_load": {
        "id": "Buku kerja tidak dapat dimuat. Perbaiki masalah berikut:",
        "en": "The workbook cannot be loaded. Fix the following problems:",
    },
    "app.missing_in_copy": {"id": "tidak ada dalam salinan", "en": "not in the copy"},
    "app.unnamed_group": {"id": "{codes} · nama tidak ada dalam salinan", "en": "{codes} · name not in the copy"},
    "table.screen_cut": {
        "id": "Ditampilkan {shown} baris pertama dari {total}; semua baris ada di unduhan.",
        "en": "The first {shown} of {total:n row|rows} are shown; the downloads have every row.",
    },
    "print.cell_cut": {
        "id": "(terpotong; teks lengkapnya ada di unduhan XLSX)",
        "en": "(cut; the whole text is in the XLSX download)",
    },
    "print.table_cut": {
        "id": "Dicetak {shown} baris pertama dari {total}; semua baris ada di unduhan XLSX.",
        "en": "The first {shown} of {total:n row|rows} are printed; the XLSX download has every row.",
    },
    "print.exit": {"id": "Keluar dari mode cetak", "en": "Leave print mode"},
    "print.hint": {
        "id": "Mode cetak: tampilan seperti hasil cetak (Ctrl+P). Tombol ini tidak ikut tercetak.",
        "en": "Print mode: the page as it prints (Ctrl+P). This button is not printed.",
    },
    "filter.all_programmes": {"id": "Filter: semua program", "en": "Filter: all programmes"},
    "filter.programmes": {"id": "Filter: program {names}", "en": "Filter: programme(s) {names}"},
    "filter.office_wide": {"id": "seluruh satker", "en": "whole office"},
    "filter.responsible": {"id": "penanggung jawab {names}", "en": "responsible {names}"},
    "filter.responsible_none": {"id": "(belum ditetapkan)", "en": "(not yet assigned)"},
    "filter.ikm_whole": {
        "id": "IKM dihitung untuk seluruh satker; filter program tidak berlaku untuk IKM.",
        "en": "The IKM covers the whole office; the programme filter does not apply to it.",
    },
    # --- statuses, states and charts ---------------------------------------------------------
    "status.planned": {"id": "Rencana", "en": "Planned"},
    "status.done": {"id": "Selesai", "en": "Done"},
    "status.partial": {"id": "Sebagian", "en": "Partial"},
    "status.not_done": {"id": "Belum (bulan ini)", "en": "Not done (this month)"},
    "status.late": {"id": "Terlambat", "en": "Late"},
    "status.cancelled": {"id": "Batal", "en": "Cancelled"},
    "status.open": {"id": "Belum selesai", "en": "Not done"},
    "state.achieved": {"id": "Tercapai", "en": "Achieved"},
    "state.on_track": {"id": "Sesuai jalur", "en": "On track"},
    "state.behind": {"id": "Tertinggal", "en": "Behind"},
    "state.no_data": {"id": "Belum ada data", "en": "No data yet"},
    "state.no_target": {"id": "Target belum ditetapkan", "en": "No target set"},
    "chart.as_of_marker": {"id": "posisi data: akhir {month}", "en": "data as of: end of {month}"},
    "chart.not_loaded": {
        "id": "Grafik tidak dapat dimuat: skrip grafik tidak sampai ke peramban. Muat ulang halaman.",
        "en": "The chart could not be drawn: its script did not reach the browser. Reload the page.",
    },
    "chart.no_rows": {"id": "Tidak ada baris yang cocok dengan filter.", "en": "No rows match the filter."},
    "chart.gantt.title": {
        "id": "Jadwal Rencana Aksi {year}: rencana dan realisasi per bulan",
        "en": "Action plan {year} schedule: plan and realisation per month",
    },
    "chart.programmes.title": {
        "id": "Kemajuan per program (bulan terjadwal s.d. posisi data)",
        "en": "Progress per programme (scheduled months to date)",
    },
    "chart.indicators.title": {"id": "Capaian indikator terhadap target", "en": "Indicator achievement against target"},
    "chart.indicator_trend.title": {"id": "Perkembangan indikator {code} per bulan", "en": "Indicator {code} by month"},
    "chart.ikm.title": {
        "id": "Indeks Kepuasan Masyarakat (IKM) per periode, dengan mutu pelayanan A-D",
        "en": "Public satisfaction index (IKM) per period, with service quality bands A-D",
    },
    "chart.nrr.title": {"id": "NRR per unsur: {period}, {unit}", "en": "NRR per element: {period}, {unit}"},
    "chart.respondents.title": {"id": "Jumlah responden per periode", "en": "Respondents per period"},
    # Large and empty inputs: charts show a bounded page of rows, or say there is nothing to show.
    "chart.no_data": {"id": "Tidak ada data untuk grafik ini.", "en": "No data for this chart."},
    "chart.gantt.rows": {"id": "baris {first:n}–{last:n} dari {total:n}", "en": "rows {first:n}–{last:n} of {total:n}"},
    "chart.programmes.rows": {
        "id": "program {first:n}–{last:n} dari {total:n}",
        "en": "programmes {first:n}–{last:n} of {total:n}",
    },
    "chart.indicators.rows": {
        "id": "indikator {first:n}–{last:n} dari {total:n}",
        "en": "indicators {first:n}–{last:n} of {total:n}",
    },
    "schedule.page": {"id": "Halaman grafik", "en": "Chart page"},
    "overview.page_note": {
        "id": "Grafik menampilkan program {first:n}–{last:n} dari {total:n}; pilih halaman grafik lain, atau pilih "
        "program di panel samping.",
        "en": "The chart shows programmes {first:n}–{last:n} of {total:n}; choose another chart page, or choose "
        "programmes in the sidebar.",
    },
    "schedule.page_option": {
        "id": "Baris {first:n}–{last:n}",
        "en": "Rows {first:n}–{last:n}",
    },
    "schedule.page_note": {
        "id": "Grafik menampilkan baris {first:n}–{last:n} dari {total:n}; pilih halaman grafik lain atau gunakan "
        "filter untuk mempersempit. Tabel dan unduhan di bawah memuat semua {total:n} baris.",
        "en": "The chart shows rows {first:n}–{last:n} of {total:n}; choose another chart page or use the filters "
        "to narrow it down. The table and downloads below hold all {total:n row|rows}.",
    },
    "report.gantt_cut": {
        "id": "Grafik jadwal menampilkan baris 1–{last:n} dari {total:n}; daftar lengkap semua baris ada pada "
        'tabel "{heading}".',
        "en": 'The schedule charts show rows 1–{last:n} of {total:n}; every row is listed in the table "{heading}".',
    },
    "report.rows_heading": {"id": "Daftar lengkap baris rencana aksi", "en": "All action plan rows"},
    "report.realisation_to_date": {"id": "Realisasi s.d. {month}", "en": "Realisation to {month}"},
    "report.indicators_cut": {
        "id": "Grafik menampilkan indikator 1–{last:n} dari {total:n}; indikator yang tertinggal dari target "
        'tercantum semuanya pada tabel "{heading}".',
        "en": "The chart shows indicators 1–{last:n} of {total:n}; every indicator behind target is listed in "
        'the table "{heading}".',
    },
    "ikm.overall": {"id": "Semua unit", "en": "All units"},
    "ikm.axis": {"id": "IKM (25-100)", "en": "IKM (25-100)"},
    "ikm.weakest": {"id": "terendah: prioritas perbaikan", "en": "lowest: improve first"},
    "unsur.U1": {"id": "Persyaratan", "en": "Requirements"},
    "unsur.U2": {"id": "Sistem, Mekanisme, dan Prosedur", "en": "Systems, mechanisms and procedures"},
    "unsur.U3": {"id": "Waktu Penyelesaian", "en": "Completion time"},
    "unsur.U4": {"id": "Biaya/Tarif", "en": "Cost/fee"},
    "unsur.U5": {"id": "Produk Spesifikasi Jenis Pelayanan", "en": "Service products"},
    "unsur.U6": {"id": "Kompetensi Pelaksana", "en": "Staff competence"},
    "unsur.U7": {"id": "Perilaku Pelaksana", "en": "Staff conduct"},
    "unsur.U8": {"id": "Penanganan Pengaduan, Saran dan Masukan", "en": "Handling of complaints and suggestions"},
    "unsur.U9": {"id": "Sarana dan Prasarana", "en": "Facilities"},
    "col.value": {"id": "Nilai", "en": "Value"},
    "col.target": {"id": "Target", "en": "Target"},
    # --- dashboard pages ------------------------------------------------------------------------
    "page.overview": {"id": "Ringkasan", "en": "Overview"},
    "page.schedule": {"id": "Jadwal", "en": "Schedule"},
    "page.indicators": {"id": "Indikator", "en": "Indicators"},
    "page.ikm": {"id": "IKM", "en": "IKM"},
    "control.choose": {"id": "Pilih (kosong = semua)", "en": "Choose (empty = all)"},
    "control.all": {"id": "Semua program", "en": "All programmes"},
    "control.as_of": {"id": "Posisi data per (bulan)", "en": "Data as of (month)"},
    "control.satker": {"id": "Satker", "en": "Office (satker)"},
    "control.year": {"id": "Tahun", "en": "Year"},
    "control.no_year": {"id": "Belum ada versi untuk satker ini.", "en": "This office has no version yet."},
    "control.programmes": {"id": "Program", "en": "Programme"},
    "control.responsible": {"id": "Penanggung jawab", "en": "Responsible"},
    "control.all_responsible": {"id": "Semua penanggung jawab", "en": "Everyone responsible"},
    "col.responsible": {"id": "Penanggung Jawab", "en": "Responsible"},
    "chart.quarters.title": {
        "id": "Realisasi per triwulan: bagian bulan terjadwal yang selesai, per program",
        "en": "Realisation per quarter: share of scheduled months done, per programme",
    },
    "page.quarters": {"id": "Triwulan", "en": "Quarters"},
    "page.rollup": {"id": "Rekap", "en": "Roll-up"},
    "rollup.intro": {
        "id": "Setiap satker dengan versi terbarunya untuk tahun yang dipilih, masing-masing s.d. bulan posisi datanya sendiri. Angka dihitung saat versi diterbitkan, dengan cara yang sama seperti halaman Ringkasan.",
        "en": "Every office with its current version for the year chosen, each up to its own posisi data month. The figures are computed when a version is published, the same way as on the Overview page.",
    },
    "rollup.year": {"id": "Tahun rekap", "en": "Roll-up year"},
    "rollup.no_versions": {
        "id": "Belum ada versi satker mana pun untuk tahun {year}.",
        "en": "No office has a version for {year} yet.",
    },
    "rollup.missing_offices": {
        "id": "Belum ada versi tahun {year}: {offices}.",
        "en": "No version for {year} yet: {offices}.",
    },
    "rollup.example_banner": {
        "id": "CONTOH: rekap ini memuat satker yang versinya berisi data contoh, bukan data resmi ({offices}).",
        "en": "EXAMPLE: this roll-up includes offices whose version holds example data, not official data ({offices}).",
    },
    "list.empty": {"id": "Tidak ada.", "en": "None."},
    "rollup.page_option": {"id": "Satker {first:n}–{last:n}", "en": "Offices {first:n}–{last:n}"},
    "rollup.page_note": {
        "id": "Grafik menampilkan satker {first:n}–{last:n} dari {total:n} menurut peringkat; pilih halaman grafik lain. Tabel dan unduhan di bawah memuat semua {total:n} satker.",
        "en": "The charts show offices {first:n}–{last:n} of {total:n} by rank; choose another chart page. The table and downloads below hold all {total:n} offices.",
    },
    "rollup.ranked": {
        "id": "Peringkat: baris belum selesai terbanyak di atas",
        "en": "Ranked: most rows not done first",
    },
    "rollup.open_hint": {
        "id": "Pilih satu baris tabel (atau satker di bawah) untuk membuka Ringkasan satker itu.",
        "en": "Select a row of the table (or an office below) to open that office's Overview.",
    },
    "rollup.open_office": {"id": "Buka Ringkasan satker", "en": "Open the Overview of"},
    "rollup.open": {"id": "Buka Ringkasan", "en": "Open Overview"},
    "rollup.years_heading": {"id": "Dari tahun ke tahun", "en": "Year over year"},
    "rollup.years_office": {"id": "Satker", "en": "Office"},
    "rollup.heatmap_title": {
        "id": "Bulan terjadwal yang selesai, per satker dan program",
        "en": "Scheduled months done, by office and programme",
    },
    "rollup.heatmap_subtitle": {
        "id": "Tahun {year}, s.d. bulan posisi data tiap satker · makin gelap makin banyak selesai · – tidak ada yang terjadwal",
        "en": "Year {year}, up to each office's posisi data month · darker is more done · – nothing scheduled",
    },
    "rollup.offices_part": {"id": "satker {first}–{last} dari {total:n}", "en": "offices {first}–{last} of {total:n}"},
    "rollup.rows_not_done_title": {"id": "Baris belum selesai per satker", "en": "Rows not done per office"},
    "rollup.rows_not_done_subtitle": {
        "id": "Tahun {year}: baris dengan bulan terjadwal yang belum selesai s.d. bulan posisi data, dari seluruh baris",
        "en": "Year {year}: rows with a scheduled month not done by the posisi data month, of all rows",
    },
    "rollup.rows_not_done_axis": {"id": "Baris belum selesai", "en": "Rows not done"},
    "rollup.rows_not_done_hover": {
        "id": "{late:n} dari {rows:n} baris belum selesai",
        "en": "{late:n} of {rows:n row|rows} not done",
    },
    "rollup.done_share": {"id": "Bulan terjadwal selesai", "en": "Scheduled months done"},
    "rollup.indicator_share": {"id": "Indikator tercapai", "en": "Indicators achieved"},
    "rollup.ikm_line": {"id": "IKM {ikm} ({mutu})", "en": "IKM {ikm} ({mutu})"},
    "rollup.no_ikm": {"id": "IKM –", "en": "IKM –"},
    "rollup.years_title": {"id": "{satker} dari tahun ke tahun", "en": "{satker} year over year"},
    "rollup.years_subtitle": {
        "id": "Versi terbaru tiap tahun, s.d. bulan posisi datanya · IKM terakhir (konversi) dan mutunya",
        "en": "Each year's current version, up to its posisi data month · latest IKM (converted) and its band",
    },
    "rollup.col.done": {"id": "Bulan terjadwal selesai", "en": "Scheduled months done"},
    "rollup.part_of_whole": {"id": "{part} / {whole} ({share})", "en": "{part} / {whole} ({share})"},
    "rollup.col.indicators": {"id": "Indikator tercapai", "en": "Indicators achieved"},
    "rollup.col.ikm": {"id": "IKM terakhir (mutu)", "en": "Latest IKM (band)"},
    "rollup.col.examples": {"id": "Data contoh", "en": "Example data"},
    "rollup.example_yes": {"id": "CONTOH", "en": "EXAMPLE"},
    "quarter.intro": {
        "id": "Rencana terhadap realisasi per triwulan (TW I Jan–Mar, TW II Apr–Jun, TW III Jul–Sep, TW IV "
        "Okt–Des): baris-bulan terjadwal yang sudah jatuh tempo s.d. posisi data, dan berapa yang selesai "
        "(selesai/jatuh tempo · persen). Triwulan sesudah posisi data menunjukkan rencananya saja.",
        "en": "Plan against realisation per quarter (Q1 Jan–Mar, Q2 Apr–Jun, Q3 Jul–Sep, Q4 Oct–Dec): the "
        "scheduled row-months due by the as-of month, and how many are done (done/due · percent). Quarters "
        "after the as-of month show their plan only.",
    },
    "report.quarter_partial": {"id": " — data sampai {month}", "en": " — data to {month}"},
    "deck.quarter_more": {
        "id": "Tabel ini: program 1–{shown} dari {total}; semua program dan kegiatan ada di catatan salindia.",
        "en": "This table: programmes 1–{shown} of {total}; every programme and activity is in the slide's notes.",
    },
    "report.signer_heading": {"id": "Mengetahui,", "en": "Acknowledged,"},
    "report.quarter_heading": {
        "id": "Triwulan {quarter} {year} ({first}–{last}) dan kumulatif",
        "en": "Quarter {quarter} {year} ({first}–{last}) and to date",
    },
    "report.period": {"id": "Laporan untuk", "en": "Report for"},
    "report.period_as_of": {"id": "posisi data (bulan di panel samping)", "en": "the data date (month in the sidebar)"},
    "report.period_quarter": {"id": "Triwulan {quarter} (dengan kumulatif)", "en": "Quarter {quarter} (and to date)"},
    "since.reference": {"id": "Bandingkan dengan versi", "en": "Compare with version"},
    "since.help": {
        "id": "Bawaan: versi yang berlaku pada awal bulan lalu (rapat bulanan terakhir). Setiap versi dibaca pada "
        "posisi datanya sendiri, atau pada bulan yang ditampilkan bila itu lebih awal.",
        "en": "Default: the version current at the start of last month (the last monthly meeting). Each version "
        "is read at its own data date, or at the month shown when that is earlier.",
    },
    "since.none": {"id": "(tanpa perbandingan)", "en": "(no comparison)"},
    "since.option": {"id": "Versi {number} · {when} · {user}", "en": "Version {number} · {when} · {user}"},
    "since.unreadable": {
        "id": "Versi {number} tidak dapat dibaca untuk perbandingan.",
        "en": "Version {number} cannot be read for the comparison.",
    },
    "since.heading": {"id": "Perubahan sejak versi {number} ({when})", "en": "Changes since version {number} ({when})"},
    "since.cards_note": {
        "id": "Perubahan pada angka kunci: dibandingkan dengan versi {number} ({when}).",
        "en": "Changes on the key figures: compared with version {number} ({when}).",
    },
    "since.nothing": {"id": "Tidak ada perubahan.", "en": "Nothing changed."},
    "since.points": {"id": "{value} poin", "en": "{value} points"},
    "since.newly_done": {"id": "Baru selesai: {count:n} ({rows})", "en": "Newly done: {count:n} ({rows})"},
    "since.newly_late": {"id": "Baru terlambat: {count:n} ({rows})", "en": "Newly late: {count:n} ({rows})"},
    "since.rescheduled": {
        "id": "Jadwal berubah: {count:n} baris ({rows})",
        "en": "Rescheduled: {count:n row|rows} ({rows})",
    },
    "since.values": {
        "id": "Nilai capaian indikator berubah: {count:n} ({codes})",
        "en": "Indicator values changed: {count:n} ({codes})",
    },
    "since.ikm": {"id": "IKM terakhir: {before} → {after}", "en": "Latest IKM: {before} → {after}"},
    "since.then": {"id": "Versi {number} ({month})", "en": "Version {number} ({month})"},
    "since.now": {"id": "Sekarang ({month})", "en": "Now ({month})"},
    "since.change": {"id": "Perubahan", "en": "Change"},
    "since.intro": {
        "id": "Setiap versi dibaca pada posisi datanya sendiri, atau pada bulan laporan bila itu lebih awal (bulannya "
        "tertulis di kepala kolom); baris dan indikator dibatasi seperti laporan ini.",
        "en": "Each version is read at its own data date, or at the report's month when that is earlier (the month "
        "heads its column); rows and indicators are restricted as this report is.",
    },
    "since.added": {"id": "Baris baru: {count:n} ({rows})", "en": "Rows added: {count:n} ({rows})"},
    "since.removed": {"id": "Baris dihapus: {count:n} ({rows})", "en": "Rows removed: {count:n} ({rows})"},
    "since.list_added": {"id": "Baris baru ({count:n})", "en": "Rows added ({count:n})"},
    "since.list_removed": {"id": "Baris dihapus ({count:n})", "en": "Rows removed ({count:n})"},
    "since.no_longer_done": {
        "id": "Tidak lagi selesai: {count:n} ({rows})",
        "en": "No longer done: {count:n} ({rows})",
    },
    "since.list_undone": {"id": "Tidak lagi selesai ({count:n})", "en": "No longer done ({count:n})"},
    "since.list_done": {"id": "Baru selesai ({count:n})", "en": "Newly done ({count:n})"},
    "since.list_late": {"id": "Baru terlambat ({count:n})", "en": "Newly late ({count:n})"},
    "since.list_rescheduled": {"id": "Jadwal berubah ({count:n})", "en": "Rescheduled ({count:n})"},
    "since.list_values": {
        "id": "Nilai capaian indikator berubah ({count:n})",
        "en": "Indicator values changed ({count:n})",
    },
    "since.months_then": {"id": "Bulan semula", "en": "Months then"},
    "since.months_now": {"id": "Bulan sekarang", "en": "Months now"},
    "since.value_then": {"id": "Nilai semula", "en": "Value then"},
    "since.value_now": {"id": "Nilai sekarang", "en": "Value now"},
    "since.more_in_report": {
        "id": "Daftar lengkap ada di laporan PDF dan di catatan salindia ini.",
        "en": "The full lists are in the PDF report and in this slide's notes.",
    },
    "quarter.group": {"id": "Program / kegiatan", "en": "Programme / activity"},
    "quarter.1": {"id": "TW I", "en": "Q1"},
    "quarter.2": {"id": "TW II", "en": "Q2"},
    "quarter.3": {"id": "TW III", "en": "Q3"},
    "quarter.4": {"id": "TW IV", "en": "Q4"},
    "quarter.to_date": {"id": "s.d. {month}", "en": "to {month}"},
    "quarter.planned_only": {"id": "rencana {planned}", "en": "planned {planned}"},
    "control.activities": {"id": "Kegiatan", "en": "Activity"},
    "control.statuses": {"id": "Status realisasi", "en": "Realisation status"},
    "control.months": {"id": "Rentang bulan", "en": "Month range"},
    "control.search": {"id": "Cari teks (kode, kegiatan, indikator)", "en": "Search text (code, activity, indicator)"},
    "control.print_mode": {"id": "Mode cetak", "en": "Print mode"},
    "control.print_help": {
        "id": "Tampilan seperti hasil cetak (tanpa panel samping dan kontrol), untuk tangkapan layar. Untuk mencetak: Ctrl+P, A4 lanskap.",
        "en": "Looks like the printout (no sidebar or controls), for screenshots. To print: Ctrl+P, A4 landscape.",
    },
    "control.indicator": {"id": "Indikator untuk grafik perkembangan", "en": "Indicator for the trend chart"},
    "control.period": {"id": "Periode", "en": "Period"},
    "control.unit": {"id": "Unit layanan", "en": "Service unit"},
    "overview.rows": {"id": "Baris rencana aksi", "en": "Plan rows"},
    "overview.rows_help": {"id": "{indicators:n} indikator keberhasilan", "en": "{indicators:n} success indicators"},
    "overview.done": {"id": "Bulan terjadwal selesai", "en": "Scheduled months done"},
    "overview.done_help": {
        "id": "{done} dari {scheduled} bulan terjadwal s.d. {month}; {partial} sebagian",
        "en": "{done} of {scheduled:n scheduled row-month|scheduled row-months} to {month}; {partial} partial",
    },
    "overview.overdue": {"id": "Baris belum selesai", "en": "Rows not done"},
    "overview.overdue_help": {"id": "terjadwal s.d. {month}, belum selesai", "en": "scheduled up to {month}, not done"},
    "overview.due_next": {"id": "Jatuh tempo bulan depan", "en": "Due next month"},
    "overview.due_next_help": {"id": "baris terjadwal pada {month}", "en": "rows scheduled in {month}"},
    "overview.indicators": {"id": "Indikator tercapai", "en": "Indicators achieved"},
    "overview.indicators_help": {
        "id": "{achieved} dari {with_target} indikator bertarget",
        "en": "{achieved} of {with_target:n indicator|indicators} with a target",
    },
    "overview.ikm": {"id": "IKM terakhir", "en": "Latest IKM"},
    "overview.ikm_help": {
        "id": "{period}: mutu {mutu}, {respondents:n} responden",
        "en": "{period}: quality {mutu}, {respondents:n respondent|respondents}",
    },
    "overview.none": {"id": "tidak ada", "en": "none"},
    "overview.overdue_list": {"id": "Baris belum selesai s.d. {month}", "en": "Rows not done up to {month}"},
    "overview.due_list": {"id": "Baris terjadwal {month}", "en": "Rows scheduled in {month}"},
    "schedule.legend": {
        "id": "Kotak biru: bulan terjadwal. Tanda: ● selesai, ◆ sebagian, ○ belum (bulan posisi data), ✕ terlambat, — batal. Bulan setelah posisi data hanya kotak rencana.",
        "en": "Blue boxes: scheduled months. Marks: ● done, ◆ partial, ○ not done (as-of month), ✕ late, — cancelled. Months after the as-of month show the plan box only.",
    },
    "schedule.filters": {"id": "Filter halaman: {parts}", "en": "Page filters: {parts}"},
    "schedule.filter_activities": {"id": "kegiatan {names}", "en": "activities {names}"},
    "schedule.filter_statuses": {"id": "status {names}", "en": "status {names}"},
    "schedule.filter_months": {"id": "bulan {first}–{last}", "en": "months {first}–{last}"},
    "schedule.filter_text": {"id": "teks “{text}”", "en": "text “{text}”"},
    "schedule.rows": {
        "id": "{shown:n} dari {total:n} baris ditampilkan",
        "en": "{shown:n} of {total:n row|rows} shown",
    },
    "indicators.formula": {
        "id": "Capaian = (nilai − baseline) ÷ (target − baseline), dibatasi 0–100 %; tanpa baseline, baseline = 0; untuk indikator 'turun': (baseline − nilai) ÷ (baseline − target). Contoh: baseline 85, target 100, nilai 96 → (96 − 85) ÷ (100 − 85) = 73 %. Indikator IKM mengambil nilainya dari survei (IKM semua unit).",
        "en": "Completion = (value − baseline) ÷ (target − baseline), kept within 0–100 %; without a baseline, baseline = 0; for 'turun' (lower is better): (baseline − value) ÷ (baseline − target). Example: baseline 85, target 100, value 96 → (96 − 85) ÷ (100 − 85) = 73 %. IKM indicators take their value from the survey (all-units IKM).",
    },
    "indicators.table": {"id": "Daftar indikator (teks lengkap)", "en": "Indicator list (full text)"},
    "indicators.no_values": {
        "id": "Belum ada nilai capaian untuk indikator ini.",
        "en": "No values recorded for this indicator yet.",
    },
    "ikm.computation": {
        "id": "Perhitungan IKM (PermenPANRB 14/2017): NRR, bobot, NRR tertimbang, IKM, konversi, mutu",
        "en": "IKM computation (PermenPANRB 14/2017): NRR, weight, weighted NRR, IKM, conversion, quality",
    },
    "ikm.later_hidden": {
        "id": "Periode yang dimulai setelah posisi data ({month}) tidak dihitung di halaman, laporan, maupun salindia: {periods}.",
        "en": "Periods that start after the as-of month ({month}) are not counted on the pages, the report or the deck: {periods}.",
    },
    "ikm.computation_note": {
        "id": "Bobot 1/9 tepat (peraturan menulis 0,111); nilai konversi dibulatkan ke atas pada 0,005 (dua desimal), mutu dibaca dari nilai dua desimal itu.",
        "en": "Weight exactly 1/9 (the regulation writes 0.111); the converted value is rounded half up to two decimals, and the quality band is read off that value.",
    },
    "ikm.no_data": {"id": "Buku kerja belum berisi hasil survei.", "en": "The workbook holds no survey results yet."},
    "col.unsur": {"id": "Unsur", "en": "Element"},
    "col.nrr": {"id": "NRR", "en": "NRR"},
    "col.weight": {"id": "Bobot", "en": "Weight"},
    "col.weighted": {"id": "NRR tertimbang", "en": "Weighted NRR"},
    "col.state": {"id": "Status", "en": "Status"},
    "col.baseline": {"id": "Baseline", "en": "Baseline"},
    "col.unit": {"id": "Satuan", "en": "Unit"},
    "col.direction": {"id": "Arah", "en": "Direction"},
    "col.completion": {"id": "Capaian", "en": "Completion"},
    "col.month": {"id": "Bulan", "en": "Month"},
    "col.respondents": {"id": "Responden", "en": "Respondents"},
    "col.period": {"id": "Periode", "en": "Period"},
    "col.service_unit": {"id": "Unit layanan", "en": "Service unit"},
    "col.ikm": {"id": "IKM", "en": "IKM"},
    "col.converted": {"id": "IKM konversi", "en": "Converted IKM"},
    "col.mutu": {"id": "Mutu", "en": "Quality"},
    "direction.naik": {"id": "naik (makin tinggi makin baik)", "en": "up (higher is better)"},
    "direction.turun": {"id": "turun (makin rendah makin baik)", "en": "down (lower is better)"},
    # --- sign-in, upload, history, administration ------------------------------------------------
    "export.no_browser": {
        "id": "Gambar grafik statis memerlukan Chromium di server (paket Debian 'chromium-headless-shell' atau 'chromium'); tidak ditemukan, jadi gambar tidak dibuat.",
        "en": "Static chart images need Chromium on the server (Debian package 'chromium-headless-shell' or 'chromium'); none was found, so no image was made.",
    },
    "deck.key_figures": {
        "id": "Rencana Aksi RB {year} — {satker}: angka kunci",
        "en": "RB action plan {year} — {satker}: key figures",
    },
    "page.report": {"id": "Laporan", "en": "Report"},
    "report.intro": {
        "id": "Laporan PDF (A4 lanskap) dan salindia PowerPoint (16:9) dari data yang ditampilkan, posisi data sesuai panel samping.",
        "en": "The PDF report (A4 landscape) and the PowerPoint deck (16:9) of the data shown, as of the month in the sidebar.",
    },
    "report.build": {"id": "Buat laporan", "en": "Build the report"},
    "report.building": {"id": "Membuat laporan dan gambar grafik…", "en": "Building the report and chart images…"},
    "report.download_pdf": {"id": "Unduh PDF", "en": "Download PDF"},
    "report.download_pptx": {"id": "Unduh PowerPoint", "en": "Download PowerPoint"},
    "report.decree": {"id": "Keputusan Nomor", "en": "Decree No."},
    "report.version": {"id": "Versi data: {version}", "en": "Data version: {version}"},
    "report.generated": {"id": "Dibuat: {when}", "en": "Generated: {when}"},
    "report.figure": {"id": "Angka kunci", "en": "Key figure"},
    "report.indicators_word": {"id": "indikator", "en": "indicators"},
    "report.behind": {"id": "Indikator tertinggal dari target", "en": "Indicators behind target"},
    "report.page": {"id": "Halaman {page}", "en": "Page {page}"},
    "export.failed": {
        "id": "Gambar grafik gagal dibuat (Chromium gagal atau tidak menjawab). Coba lagi; peramban baru akan dipakai.",
        "en": "The chart images could not be made (Chromium failed or did not answer). Try again; a fresh browser will be used.",
    },
    "report.title": {"id": "Judul", "en": "Title"},
    "report.see_appendix": {"id": "lihat Lampiran {number}", "en": "see Appendix {number}"},
    "report.see_workbook": {"id": "teks lengkap ada di buku kerja", "en": "full text in the workbook"},
    "report.appendix": {"id": "Lampiran: teks lengkap", "en": "Appendix: full texts"},
    "report.appendix_intro": {
        "id": "Teks buku kerja yang terlalu panjang untuk sel tabel atau sampul laporan ini, lengkap sesuai urutan rujukannya.",
        "en": "Workbook texts too long for a table cell or the cover of this report, in full, in the order they are referred to.",
    },
    "report.appendix_entry": {"id": "Lampiran {number}: {what}", "en": "Appendix {number}: {what}"},
    "deck.full_text": {
        "id": "Teks lengkap yang dipotong agar muat di salindia ini:",
        "en": "Full text cut to fit on this slide:",
    },
    "report.queue_full": {
        "id": "Antrean laporan penuh; coba lagi sebentar.",
        "en": "The report queue is full; try again shortly.",
    },
    "report.one_at_a_time": {
        "id": "Laporan Anda yang lain masih dalam antrean; tunggu sampai selesai, lalu buat yang ini.",
        "en": "Another report of yours is still in the queue; wait until it is done, then build this one.",
    },
    "report.visitor_busy": {
        "id": "Antrean laporan penuh untuk akun atau alamat jaringan Anda; tunggu laporan yang sedang dibuat selesai, lalu coba lagi.",
        "en": "The report queue is full for your account or network address; wait until the reports being built are done, then try again.",
    },
    "report.failed": {
        "id": "Laporan gagal dibuat. Coba lagi; bila terulang, beri tahu pengelola server (rinciannya ada di log server).",
        "en": "The report could not be built. Try again; if it happens again, tell the server administrator (the details are in the server log).",
    },
    "report.queued": {
        "id": "Antrean laporan: posisi {position}. Halaman ini diperbarui sendiri.",
        "en": "Report queue: position {position}. This page updates by itself.",
    },
    "table.download_xlsx": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "table.download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "export.filtered_suffix": {"id": "terfilter", "en": "filtered"},
    "export.about_sheet": {"id": "Keterangan", "en": "About"},
    "export.about_source": {"id": "Sumber", "en": "Source"},
    "export.about_as_of": {"id": "Posisi data", "en": "Data as of"},
    "export.about_filters": {"id": "Filter", "en": "Filters"},
    "export.about_made": {"id": "Dibuat", "en": "Made"},
    "page.data": {"id": "Unggah Data", "en": "Upload data"},
    "page.history": {"id": "Riwayat Versi", "en": "Version history"},
    "page.admin": {"id": "Pengguna & Audit", "en": "Users & audit"},
    "auth.heading": {"id": "Masuk", "en": "Sign in"},
    "auth.user": {"id": "Nama pengguna", "en": "User name"},
    "auth.password": {"id": "Kata sandi", "en": "Password"},
    "auth.submit": {"id": "Masuk", "en": "Sign in"},
    "auth.failed": {"id": "Nama pengguna atau kata sandi salah.", "en": "Wrong user name or password."},
    "auth.session_ended": {
        "id": "Sesi masuk Anda berakhir karena akun dihapus, dibuat ulang, atau kata sandinya diganti. Silakan masuk lagi.",
        "en": "Your sign-in ended because the account was removed, re-created or its password changed. Please sign in again.",
    },
    "auth.session_moved": {
        "id": "Sesi masuk ini dibuka dari peramban lain, jadi dikeluarkan. Silakan masuk lagi dari peramban Anda.",
        "en": "This sign-in was opened from another browser, so it was signed out. Please sign in again from your browser.",
    },
    "auth.signed_in": {"id": "Masuk sebagai {name} ({role})", "en": "Signed in as {name} ({role})"},
    "auth.sso": {"id": "Masuk dengan akun kantor (SSO)", "en": "Sign in with the office account (SSO)"},
    "auth.sso_not_configured": {
        "id": "Masuk SSO belum dikonfigurasi: isi bagian [auth] di .streamlit/secrets.toml (lihat README).",
        "en": "Single sign-on is not configured: fill the [auth] section of .streamlit/secrets.toml (see the README).",
    },
    "auth.logout": {"id": "Keluar", "en": "Sign out"},
    "auth.required": {"id": "Masuk terlebih dahulu untuk melihat dasbor.", "en": "Sign in to view the dashboard."},
    "auth.forbidden_role": {
        "id": "Halaman ini memerlukan peran {role}; akun {name} berperan {current}. Minta admin mengubah peran Anda bila memang perlu.",
        "en": "This page needs the {role} role; the account {name} has the {current} role. Ask an admin to change your role if you need it.",
    },
    "auth.forbidden": {
        "id": "Halaman ini memerlukan peran {role}. Masuk dengan akun yang berwenang.",
        "en": "This page needs the {role} role. Sign in with an account that has it.",
    },
    "auth.no_editor": {
        "id": "Belum ada editor, jadi belum ada yang dapat menerbitkan data. Administrator server membuatnya dengan: python -m rbdash users add NAMA --role editor",
        "en": "No editor exists yet, so nobody can publish. The server administrator creates one with: python -m rbdash users add NAME --role editor",
    },
    "auth.busy": {
        "id": "Server sedang sibuk memeriksa kata sandi; coba lagi sebentar.",
        "en": "The server is busy checking passwords; try again in a moment.",
    },
    "auth.throttled": {
        "id": "Terlalu banyak percobaan masuk yang gagal dari alamat jaringan ini; coba lagi setelah {until:%d-%m-%Y} pukul {until:%H.%M} WIB.",
        "en": "Too many failed sign-ins from this network address; try again after {until:%Y-%m-%d %H:%M} WIB.",
    },
    "data.checker": {
        "id": "Halaman ini juga pemeriksa berkas: unggah buku kerja untuk melihat setiap galat (lembar, sel, perbaikan) dan setiap perubahan terhadap versi saat ini. Tidak ada yang diterbitkan sampai Anda menekan **Terbitkan sebagai versi baru**.",
        "en": "This page is also the file checker: upload a workbook to see every error (sheet, cell, fix) and every change against the current version. Nothing is published until you press **Publish as a new version**.",
    },
    "data.upload": {
        "id": "Unggah buku kerja (.xlsx, paling besar {limit:n} MB)",
        "en": "Upload the workbook (.xlsx, at most {limit:n} MB)",
    },
    "data.upload_refused_session": {
        "id": "Berkas terakhir ({size:n} MB) tidak diterima: unggahan dalam satu sesi paling banyak {limit:n} MB. Hapus berkas sebelumnya dari kotak unggah (tanda ×), lalu unggah lagi.",
        "en": "The last file ({size:n} MB) was not accepted: the uploads of one session may hold at most {limit:n} MB. Remove the previous file from the upload box (× mark), then upload again.",
    },
    "data.upload_refused_total": {
        "id": "Berkas terakhir ({size:n} MB) tidak diterima: server sedang menyimpan unggahan lain sampai batasnya ({limit:n} MB). Coba unggah lagi beberapa menit lagi.",
        "en": "The last file ({size:n} MB) was not accepted: the server is holding other uploads up to its limit ({limit:n} MB). Try uploading again in a few minutes.",
    },
    "data.report": {"id": "Hasil validasi", "en": "Validation report"},
    "data.not_checked": {
        "id": "Berkas belum diperiksa: ini bukan galat pada berkas Anda.",
        "en": "The file has not been checked yet: this is not an error in your file.",
    },
    "data.check_again": {"id": "Periksa lagi", "en": "Check again"},
    "data.changed_since_preview": {
        "id": "Versi terkini berubah sejak pratinjau yang Anda lihat; tidak ada yang diterbitkan. Periksa perubahan terhadap versi {number} di atas, lalu tekan Terbitkan lagi.",
        "en": "The current version changed since the preview you saw; nothing was published. Check the changes against version {number} above, then press Publish again.",
    },
    "data.file_changed_since_preview": {
        "id": "Berkas yang dipilih berubah sejak pratinjau yang Anda lihat; tidak ada yang diterbitkan. Periksa pratinjau berkas ini di atas, lalu tekan Terbitkan lagi.",
        "en": "The chosen file changed since the preview you saw; nothing was published. Check this file's preview above, then press Publish again.",
    },
    "data.publish_refused": {
        "id": "Tidak diterbitkan: pemeriksaan saat menerbitkan menemukan {errors:n} galat. Tidak ada versi baru.",
        "en": "Not published: the check at publishing found {errors:n error|errors}. No new version was made.",
    },
    "data.valid": {
        "id": "Tidak ada galat di berkas ini ({warnings:n} peringatan). Periksa perubahannya di bawah sebelum menerbitkan.",
        "en": "No errors in this file ({warnings:n warning|warnings}). Check its changes below before publishing.",
    },
    "data.valid_but_blocked": {
        "id": "Tidak ada galat di berkas ini ({warnings:n} peringatan), tetapi berkas ini belum dapat diterbitkan: lembar yang berisi data di versi saat ini tidak ada (lihat di bawah).",
        "en": "No errors in this file ({warnings:n warning|warnings}), but it cannot be published yet: a sheet that holds data in the current version is missing (see below).",
    },
    "data.invalid": {
        "id": "{errors:n} galat harus diperbaiki sebelum berkas dapat diterbitkan. Tidak ada yang berubah.",
        "en": "{errors:n error|errors} must be fixed before the file can be published. Nothing changed.",
    },
    "data.valid_but_refused": {
        "id": "Tidak ada galat di berkas ini ({warnings:n} peringatan), tetapi berkas ini tidak dapat diterbitkan (lihat di bawah).",
        "en": "This file has no errors ({warnings:n warning|warnings}), but it cannot be published (see below).",
    },
    "data.target_replaces": {
        "id": "Berkas ini untuk **{satker}** tahun **{year}**: bila diterbitkan, menjadi versi {number} dan menggantikan versi {current} satker dan tahun itu.",
        "en": "This file is for **{satker}**, year **{year}**: once published, it becomes version {number} and replaces version {current} of that office and year.",
    },
    "data.target_first": {
        "id": "Berkas ini untuk **{satker}** tahun **{year}**: bila diterbitkan, menjadi versi 1, versi pertama satker dan tahun itu.",
        "en": "This file is for **{satker}**, year **{year}**: once published, it becomes version 1, the first of that office and year.",
    },
    "data.target_not_shown": {
        "id": "Panel samping sekarang menampilkan {satker} tahun {year}; setelah diterbitkan, dasbor beralih ke satker dan tahun berkas ini.",
        "en": "The sidebar now shows {satker}, year {year}; once published, the dashboard switches to this file's office and year.",
    },
    "history.of_office": {
        "id": "Versi rencana aksi **{satker}** tahun **{year}** (pilih satker dan tahun lain di panel samping).",
        "en": "Versions of the action plan of **{satker}**, year **{year}** (choose another office and year in the sidebar).",
    },
    "history.no_office_version": {
        "id": "Belum ada versi rencana aksi **{satker}** (pilih satker lain di panel samping).",
        "en": "There is no version of the action plan of **{satker}** yet (choose another office in the sidebar).",
    },
    "history.out_of_scope": {
        "id": "Akun Anda hanya boleh menerbitkan untuk {scope}, jadi versi {satker} tidak dapat dipulihkan dari akun ini.",
        "en": "Your account may publish only for {scope}, so a version of {satker} cannot be restored from it.",
    },
    "data.preview": {
        "id": "Perubahan terhadap versi saat ini (v{number})",
        "en": "Changes against the current version (v{number})",
    },
    "cli.diff_has_errors": {
        "id": "{path} memuat {errors:n} galat (lihat: validate); dibandingkan sebagaimana terbaca, dan berkas itu tidak dapat diterbitkan.",
        "en": "{path} has {errors:n error|errors} (see: validate); compared as read, and that file cannot be published.",
    },
    "cli.diff_same": {
        "id": "Isi kedua berkas sama.",
        "en": "The two files hold the same content.",
    },
    "data.counts_heading": {"id": "Ringkasan perubahan per lembar", "en": "Changes per sheet"},
    "data.sheet_missing": {
        "id": "Lembar yang memuat data pada versi saat ini tidak ada di berkas ini; datanya akan hilang. Berkas tidak dapat diterbitkan:",
        "en": "Sheets that hold data in the current version are missing from this file; their data would be lost. The file cannot be published:",
    },
    "data.removals": {
        "id": "Berkas ini **menghapus {removed:n} baris** dari versi saat ini: {detail}. Periksa tabel di bawah.",
        "en": "This file **removes {removed:n row|rows}** from the current version: {detail}. Check the table below.",
    },
    "data.confirm_removals": {
        "id": "Saya memang ingin menghapus {removed:n} baris ini ({detail})",
        "en": "I do mean to remove these {removed:n row|rows} ({detail})",
    },
    "data.unchanged": {
        "id": "Isi berkas ini sama dengan versi saat ini (v{number}): menerbitkannya tidak membuat versi baru.",
        "en": "This file's content equals the current version (v{number}): publishing it makes no new version.",
    },
    "data.publishing": {"id": "Menerbitkan…", "en": "Publishing…"},
    "diff.counts": {
        "id": "{sheet}: {added:n} ditambah, {changed:n} diubah, {removed:n} dihapus",
        "en": "{sheet}: {added:n} added, {changed:n} changed, {removed:n} removed",
    },
    "diff.added": {"id": "Ditambah", "en": "Added"},
    "diff.changed": {"id": "Diubah", "en": "Changed"},
    "diff.removed": {"id": "Dihapus", "en": "Removed"},
    "diff.row": {"id": "Baris", "en": "Row"},
    "diff.kind": {"id": "Perubahan", "en": "Change"},
    "diff.no_respondent": {"id": "(tanpa no. responden)", "en": "(no respondent no.)"},
    "diff.no_other_sheets": {"id": "tidak ada", "en": "none"},
    "diff.sheet_missing": {
        "id": "Lembar '{sheet}' tidak ada (sebelumnya memuat {rows:n} baris); lembar yang tidak dikenali di berkas: {found}. Tambahkan lembar '{sheet}' dengan datanya.",
        "en": "Sheet '{sheet}' is missing (it held {rows:n row|rows} before); sheets in the file that are not recognised: {found}. Add sheet '{sheet}' with its data.",
    },
    "diff.sheet_missing_close": {
        "id": "Lembar '{sheet}' tidak ada (sebelumnya memuat {rows:n} baris); ditemukan '{closest}': ganti namanya menjadi '{sheet}'.",
        "en": "Sheet '{sheet}' is missing (it held {rows:n row|rows} before); found '{closest}': rename it to '{sheet}'.",
    },
    "word.yes": {"id": "Ya", "en": "Yes"},
    "word.no": {"id": "Tidak", "en": "No"},
    "data.comment": {"id": "Catatan penerbitan (wajib)", "en": "Publishing comment (required)"},
    "data.publish": {"id": "Terbitkan sebagai versi baru", "en": "Publish as a new version"},
    "data.published": {
        "id": "Versi {number} diterbitkan untuk {satker} tahun {year}. Semua pengguna melihatnya pada pembaruan berikutnya.",
        "en": "Version {number} published for {satker}, year {year}. Every user sees it on their next refresh.",
    },
    "data.preview_first": {
        "id": "Isi berkas (belum ada versi {satker} tahun {year})",
        "en": "What the file holds (no version of {satker}, year {year}, yet)",
    },
    "history.download": {"id": "Unduh versi {number}", "en": "Download version {number}"},
    "history.choose": {"id": "Versi", "en": "Version"},
    "history.restore": {
        "id": "Terbitkan ulang versi {number} sebagai versi baru",
        "en": "Publish version {number} again as a new version",
    },
    "history.confirm": {
        "id": "Terbitkan ulang **versi {number}** ({date}, oleh {user}: {comment}) sebagai versi baru? Isinya menggantikan versi saat ini (v{current}); tidak ada versi yang dihapus.",
        "en": "Publish **version {number}** ({date}, by {user}: {comment}) again as a new version? Its content replaces the current version (v{current}); no version is deleted.",
    },
    "history.confirm_changes": {
        "id": "Perubahan terhadap versi saat ini:",
        "en": "Changes against the current version:",
    },
    "history.same_as_current": {
        "id": "Isi versi {number} sama dengan versi saat ini (v{current}): menerbitkannya ulang tidak membuat versi baru.",
        "en": "Version {number} holds the same content as the current version (v{current}): publishing it again makes no new version.",
    },
    "history.confirm_yes": {"id": "Ya, terbitkan ulang versi {number}", "en": "Yes, publish version {number} again"},
    "history.cancel": {"id": "Batal", "en": "Cancel"},
    "history.restored": {
        "id": "Versi {old} diterbitkan ulang sebagai versi {number}.",
        "en": "Version {old} published again as version {number}.",
    },
    "admin.scope": {"id": "Boleh menerbitkan untuk", "en": "May publish for"},
    "admin.scope_all": {"id": "Semua satker (*)", "en": "Every office (*)"},
    "admin.change_scope": {"id": "Ubah cakupan satker", "en": "Change office scope"},
    "admin.scope_changed": {
        "id": "Cakupan pengguna '{name}': {previous} -> {scope}.",
        "en": "Scope of user '{name}': {previous} -> {scope}.",
    },
    "col.scope": {"id": "Cakupan satker", "en": "Office scope"},
    "admin.users": {"id": "Pengguna", "en": "Users"},
    "admin.add": {"id": "Tambah pengguna", "en": "Add user"},
    "admin.role": {"id": "Peran", "en": "Role"},
    "admin.added": {
        "id": "Pengguna {name} ditambahkan (boleh menerbitkan untuk: {scope}).",
        "en": "User {name} added (may publish for: {scope}).",
    },
    "admin.remove": {"id": "Hapus pengguna", "en": "Remove user"},
    "admin.removed": {"id": "Pengguna {name} dihapus.", "en": "User {name} removed."},
    "admin.confirm_remove": {
        "id": "Ketik nama pengguna yang akan dihapus untuk konfirmasi",
        "en": "Type the name of the user to remove, to confirm",
    },
    "admin.confirm_mismatch": {
        "id": "Nama yang diketik ('{typed}') tidak sama dengan pengguna yang dipilih ('{name}'); tidak ada yang dihapus.",
        "en": "The name typed ('{typed}') is not the user chosen ('{name}'); nothing was removed.",
    },
    "admin.change_role": {"id": "Ubah peran", "en": "Change role"},
    "admin.new_role": {"id": "Peran baru", "en": "New role"},
    "admin.role_changed": {
        "id": "Peran {name}: {previous} -> {role} (boleh menerbitkan untuk: {scope}).",
        "en": "Role of {name}: {previous} -> {role} (may publish for: {scope}).",
    },
    "admin.audit": {"id": "Log audit (terbaru di atas)", "en": "Audit log (newest first)"},
    "col.number": {"id": "Versi", "en": "Version"},
    "col.created_at": {"id": "Waktu (WIB)", "en": "Time (WIB)"},
    "col.user": {"id": "Pengguna", "en": "User"},
    "col.comment": {"id": "Catatan", "en": "Comment"},
    "col.sha256": {"id": "SHA-256", "en": "SHA-256"},
    "col.satker": {"id": "Satker", "en": "Office"},
    "col.as_of": {"id": "Posisi data", "en": "Data as of"},
    "col.rows": {"id": "Baris", "en": "Rows"},
    "col.year": {"id": "Tahun", "en": "Year"},
    "col.action": {"id": "Tindakan", "en": "Action"},
    "col.detail": {"id": "Rincian", "en": "Detail"},
    "col.field": {"id": "Kolom", "en": "Field"},
    "col.before": {"id": "Sebelum", "en": "Before"},
    "col.after": {"id": "Sesudah", "en": "After"},
    "col.role": {"id": "Peran", "en": "Role"},
    # --- column labels shown in tables ---------------------------------------------------------
    "col.code": {"id": "Kode", "en": "Code"},
    "col.no": {"id": "No", "en": "No"},
    "col.program": {"id": "Program Kegiatan", "en": "Programme"},
    "col.activity": {"id": "Kegiatan", "en": "Activity"},
    "col.sub_activity": {"id": "Sub Kegiatan", "en": "Sub-activity"},
    "col.indicators_text": {"id": "Indikator Keberhasilan", "en": "Success indicators"},
    "col.months": {"id": "Bulan Pelaksanaan", "en": "Scheduled months"},
    "col.remarks": {"id": "Ket", "en": "Remarks"},
    "col.severity": {"id": "Tingkat", "en": "Severity"},
    "col.sheet": {"id": "Lembar", "en": "Sheet"},
    "col.cell": {"id": "Sel", "en": "Cell"},
    "col.message": {"id": "Pesan", "en": "Message"},
    "col.fix": {"id": "Perbaikan", "en": "Fix"},
    "col.status": {"id": "Status", "en": "Status"},
    "col.progress": {"id": "Progres (%)", "en": "Progress (%)"},
    "col.evidence": {"id": "Bukti", "en": "Evidence"},
    "col.latest": {"id": "Realisasi terakhir", "en": "Latest realisation"},
    "report.nip": {"id": "NIP. {nip}", "en": "NIP {nip}"},
    "status.recorded_not_done": {"id": "Belum", "en": "Not done"},
    "detail.unscheduled": {"id": "{status} (di luar jadwal)", "en": "{status} (not scheduled)"},
    "schedule.detail_hint": {
        "id": "Pilih satu baris pada tabel (kotak di kirinya) untuk melihat realisasinya bulan demi bulan: "
        "status, progres, catatan dan bukti.",
        "en": "Select a row of the table (the box on its left) to see its realisation month by month: "
        "status, progress, note and evidence.",
    },
    "schedule.detail_heading": {"id": "Rincian {code}: {name}", "en": "Detail of {code}: {name}"},
    "col.note": {"id": "Catatan", "en": "Note"},
    "col.plan_code": {"id": "Kode rencana", "en": "Plan code"},
    "col.item_no": {"id": "No. butir", "en": "Item no."},
    "col.text": {"id": "Indikator", "en": "Indicator"},
}


def decimal_text(value: float | int, pattern: str, locale: str) -> str:
    """`value` written with Babel's `pattern` ("#,##0.00") in `locale`, however large: within Python's default
    decimal precision (28 digits) 1e26 with two decimals raised InvalidOperation (seen: a Capaian value in a
    problem message; a page showing it would have failed the same way)."""
    with decimal.localcontext() as context:
        context.prec = 400  # a float's integer part has at most 309 digits
        return str(format_decimal(value, format=pattern, locale=locale))


class _MessageFormatter(string.Formatter):
    """str.format, where the spec "n" writes a number the reader's way: 12.003.612 (id), 12,003,612 (en);
    "n warning|warnings" writes it with the word its plural rule asks for (CLDR, via Babel): "1 warning"."""

    def __init__(self, lang: str) -> None:
        self._locale = LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE])

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "n" or format_spec.startswith("n "):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                shown = decimal_text(value, "#,##0.##", self._locale)
                plural = Locale.parse(self._locale).plural_form(abs(value))
            else:
                shown, plural = str(value), "other"
            if format_spec == "n":
                return shown
            one, _, other = format_spec[2:].partition("|")
            return f"{shown} {one if plural == 'one' else other or one}"
        return str(super().format_field(value, format_spec))


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Render message `key` in `lang` ('id' or 'en') with its named parameters ({count:n}: a grouped number)."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return _MessageFormatter(lang).format(text, **params) if params else text
