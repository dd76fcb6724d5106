"""Reports: render verdicts and solutions (text, JSON, SARIF, Markdown, HTML).

Reports never call solvers: they read result records only."""
