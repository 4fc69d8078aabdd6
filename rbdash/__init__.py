"""RB Dash: load, validate and summarise the Rencana Aksi Reformasi Birokrasi workbook."""

from rbdash.workbook.loader import ActionPlan, LoadResult, load_workbook

__all__ = ["ActionPlan", "LoadResult", "load_workbook"]
