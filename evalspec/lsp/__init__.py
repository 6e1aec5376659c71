"""The editor's language server (`evalspec lsp`, needs `pip install 'evalspec[lsp]'`)."""
