-- Review cards of questions from a pack a server uploaded carry that
-- server's id ("ww1/q3@123", see review::card_key): two servers may upload
-- different packs with one id. An existing card takes the server where the
-- student last answered its question from that server's uploaded pack.
UPDATE review_cards r SET question = r.question || '@' || (
    SELECT a.guild_id::text FROM answers a
    JOIN uploaded_packs p ON p.guild_id = a.guild_id
        AND p.pack_id = split_part(r.question, '/', 1) COLLATE "default"
    WHERE a.user_id = r.user_id AND a.question = r.question
    ORDER BY a.id DESC LIMIT 1
)
WHERE EXISTS (
    SELECT 1 FROM answers a
    JOIN uploaded_packs p ON p.guild_id = a.guild_id
        AND p.pack_id = split_part(r.question, '/', 1) COLLATE "default"
    WHERE a.user_id = r.user_id AND a.question = r.question
);
