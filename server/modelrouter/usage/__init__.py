"""Usage analytics: per-deployment call figures, since the store began and over a
recent window, kept in a store that survives restarts."""
