"""Fresh news: follow RSS/Atom feeds and single pages, saving each article into the corpus as a Markdown file.

http.py fetches politely (limits, User-Agent, robots.txt); feed.py reads feeds; page.py turns a page into a saved
article; ledger.py remembers what was fetched; fetch.py runs a fetch; cli.py is `python -m embeddings fetch`.
"""
