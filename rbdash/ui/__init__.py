"""Everything that imports Streamlit: page helpers, the upload guard, and the server entry point."""
