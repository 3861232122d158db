"""The Streamlit dashboard: pages are thin, every read goes through the service layer."""
