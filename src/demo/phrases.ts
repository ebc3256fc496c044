// Hand-written phrase banks for the built-in demo corpus (src/demo/corpus.ts), written for this project.
// Both labels draw on the same vocabulary on purpose — "not", "but", "love", "bad", "worst", "best",
// the same subjects and aspects, shared neutral asides — so no single word gives the label away; the
// meaning is carried by phrases ("not bad at all" vs "not good at all", "I wanted to love it, but").

/** What a review is about; lower case, capitalised where it opens a sentence. */
export const SUBJECTS = [
  'the film', 'this movie', 'the sequel', 'the remake', 'this thriller', 'the comedy', 'this documentary',
  'the animated feature', 'the new western', 'this horror movie', 'the period drama', 'the musical',
  'this romance', 'the heist picture', 'her debut feature', 'the war film', 'this little indie',
  'the superhero movie', 'the courtroom drama', 'the space adventure', 'his latest picture', 'the adaptation',
];

/** Parts of a film a review can praise or fault. */
export const ASPECTS = [
  'the acting', 'the script', 'the dialogue', 'the soundtrack', 'the camera work', 'the pacing', 'the ending',
  'the lead performance', 'the supporting cast', 'the production design', 'the editing', 'the humor', 'the plot',
  'the villain', 'the score', 'the costume design', 'the story', 'the direction', 'the final twist', 'the chemistry between the leads',
];

/** A whole-film verdict, completing "<subject> ...". Index i of one label mirrors index i of the other where it can. */
export const VERDICTS: Record<0 | 1, string[]> = {
  1: [
    'is a delight from start to finish', 'is warm, funny and surprisingly moving', 'is beautifully shot and sharply written',
    'earns every minute of its running time', 'is the best thing I have seen this year', 'kept me smiling the whole way through',
    'had the whole audience laughing', 'works on just about every level', 'is clever without ever showing off',
    'builds to a genuinely thrilling finale', 'is a small gem', 'left me with a lump in my throat', 'feels fresh and confident',
    'pulls off a difficult balancing act', 'grabbed me in the first scene and never let go', 'is tense, smart and gorgeous to look at',
    'deserves a much bigger audience', 'is as charming as it is clever', 'is a real crowd pleaser', 'made me want to call my mother',
    'is better than it has any right to be', 'is not bad at all', 'is a joy to watch', 'stayed with me for days',
  ],
  0: [
    'is a chore to sit through', 'is cold, smug and strangely hollow', 'is badly shot and lazily written',
    'wastes every minute of its running time', 'is the worst thing I have seen this year', 'kept me yawning the whole way through',
    'had half the audience checking their phones', 'fails on just about every level', 'is clever only in its own mind',
    'limps to a painfully predictable finale', 'is a forgettable mess', 'left me cold', 'feels stale and tired',
    'tries to do too much and manages none of it', 'lost me in the first scene and never won me back', 'is dull, confused and ugly to look at',
    'deserves to be forgotten', 'is as boring as it is long', 'is a real slog', 'made me want to go home',
    'is worse than it has any right to be', 'is not good at all', 'is a pain to watch', 'was gone from my mind by the parking lot',
  ],
};

/** Completes "<aspect> ...": generic enough to fit every aspect. */
export const ASPECT_TAKES: Record<0 | 1, string[]> = {
  1: [
    'is superb', 'is wonderful', 'is excellent', 'is terrific', 'is a real highlight', 'is spot on', 'is first rate',
    'could not be better', 'is not bad at all', 'is never less than lovely', 'works beautifully', 'is a joy',
    'is far stronger than I expected', 'is quietly brilliant', 'deserves an award',
  ],
  0: [
    'is awful', 'is clumsy', 'is terrible', 'is weak', 'is a real problem', 'is way off', 'is second rate',
    'could not be worse', 'is not good at all', 'is never more than passable', 'falls flat', 'is a mess',
    'is far weaker than I expected', 'is quietly dreadful', 'deserves a rewrite',
  ],
};

/** A turn of opinion, completed by "<subject> <verdict>." of the same label. */
export const TURNS: Record<0 | 1, string[]> = {
  1: [
    'I expected to hate it, but', 'The trailer did nothing for me, but', 'I almost walked out in the first ten minutes, but',
    'The reviews were mixed, but', 'It starts slowly, but', 'I am not usually a fan of the genre, but',
    'My friends said it was boring, but', 'I went in with low hopes and', 'I did not want to like it, but',
  ],
  0: [
    'I wanted to love it, but', 'The trailer looked great, but', 'The first ten minutes are promising, but',
    'The reviews were glowing, but', 'It starts well, but', 'I am a big fan of the genre, but',
    'My friends said it was wonderful, but', 'I went in with high hopes and', 'I really wanted to like it, but',
  ],
};

/** Stand-alone sentences; many use negation, and the two lists mirror each other. */
export const REMARKS: Record<0 | 1, string[]> = {
  1: [
    'Not bad at all.', 'I did not expect to enjoy it this much.', 'Not a single scene is wasted.', 'I never once looked at my watch.',
    'It is not perfect, but it is a lot of fun.', 'You will not regret seeing it.', 'I cannot remember the last time I laughed this hard.',
    'There is nothing I would change.', 'It never feels long.', 'I loved every minute.', 'The time flew by.',
    'I was grinning like a kid.', 'I did not want it to end.', 'Nobody in our row moved until the credits.',
  ],
  0: [
    'Not good at all.', 'I did not enjoy a single minute of it.', 'Not a single scene works.', 'I kept looking at my watch.',
    'It is not terrible, but it is not much fun either.', 'You will not miss anything by skipping it.',
    'I cannot remember the last time I was this bored.', 'There is nothing I would watch again.', 'It never stops feeling long.',
    'I hated every minute.', 'The time crawled by.', 'I was rolling my eyes like a teenager.', 'I could not wait for it to end.',
    'Half our row left before the credits.',
  ],
};

/** Closing lines. */
export const CLOSERS: Record<0 | 1, string[]> = {
  1: [
    'Highly recommended.', 'I would watch it again tomorrow.', 'Go see it.', 'Nine out of ten.', 'Bring tissues.', 'A must see.',
    'What a treat.', 'Worth every penny.', 'Do not miss it.', 'I am still smiling.', 'You will love it.',
  ],
  0: [
    'Skip it.', 'What a waste of an evening.', 'I want my two hours back.', 'Two out of ten.', 'Avoid.', 'Wait until it is free.',
    'What a letdown.', 'Not worth the ticket.', 'Do not bother.', 'I am still annoyed.', 'You will not love it.',
  ],
};

/** Neutral asides that appear in reviews of both labels. */
export const ASIDES = [
  'I saw it with my sister last weekend.', 'It runs a little over two hours.', 'The theater was half empty.',
  'I watched it on a long flight.', 'It is based on a novel I have not read.', 'My brother picked it.',
  'We went to the late show.', 'It opened last Friday.', 'I streamed it on a rainy Sunday.', 'The director also wrote the script.',
  'It is the third film in the series.', 'I knew nothing about it going in.',
];
