"""Making builds: the pipeline (parse → lexicon → embed → backend.write → manifest), the build
store on disk (folders, manifest, checksums), switching and pruning, and the build lock.

May import every room below it (documents, parse, analysis, embed, backends through their
factory, and search to verify a new build); never search_app.
"""
