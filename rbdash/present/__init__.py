"""Presentation without Streamlit: number and date formatting, Plotly charts, tables for display,
literal text, and fitting long text into fixed layouts."""
