"""Dutch language processing: text folding, the ALS/als rule and the spaCy pipeline."""
