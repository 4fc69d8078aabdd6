"""Files for meetings: chart images (Kaleido), the PDF report, the PowerPoint deck, table
downloads, and the bounded queue that builds reports."""
