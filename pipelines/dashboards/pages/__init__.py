"""One module per dashboard page; each exposes `SLUG`, `TITLE`, `DESCRIPTION` and `build(con, year) -> Page`."""
