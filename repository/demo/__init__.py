"""Demo collection: fictional seminar documents that `make run` renders to PDFs and ingests."""
