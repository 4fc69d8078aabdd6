"""RB Dash: the Rencana Aksi Reformasi Birokrasi dashboard. The layers, bottom to top, are listed in the
README ("Layout"); each imports only the layers below it (tests/test_layers.py)."""
