"""Figures computed from the model: schedule and indicator metrics, the IKM, summaries, and the
comparison of two versions."""
