# Copy to instance/config.py and change what you need. Environment variables
# REPOSITORY_<NAME> (and DATABASE_URL) override these; see the README.

# SECRET_KEY = "a long random string"          # default: generated into instance/secret_key
# DATABASE_URL = "postgresql+psycopg://repo:secret@localhost/repository"
# INDEX_DIR = "index"
# FILES_DIR = "files"
# INDEX_LOCK_TIMEOUT = 30.0
# EXTRACT_SECONDS = 30.0
# EXTRACT_MEMORY_MB = 1024
# MAX_UPLOAD_MB = 50
# SEARCH_PER_PAGE = 20
