"""Weekly reflection: a few words after a run on how the week felt, kept with the run."""
