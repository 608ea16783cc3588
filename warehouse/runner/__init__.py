"""The pipeline runner: lake batches in, a tested star schema out, one batch at a time."""
