-- Step 4: words as written, for prefix search. `articles_fts` stems every word
-- (porter), and FTS5 stems a prefix before expanding it, so `ely*` searched `eli*`
-- and missed "Élysée", and `organi*` missed "organization" (stem "organ"). A prefix
-- term means the word as the article wrote it, in search, alerts and the engines
-- alike, so it is matched against this second index of the same columns, folded
-- but not stemmed. Contentless: the words are already stored in `articles_fts`
-- (rowid = articles.rowid), which a re-index reads to delete the old entry.
CREATE VIRTUAL TABLE articles_words USING fts5(
    title, text, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_words(rowid, title, text) SELECT rowid, title, text FROM articles_fts;
