"""Access Analyzer: analyzers, their archive rules and findings, and the unused-access evaluation."""
