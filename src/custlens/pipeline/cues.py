"""The tagger's built-in cues: patterns for problems (pain) and for wishes and requests (need).

Written from how customers and users phrase problems and requests in general, not from one data set.
Each cue is `(name, regex)` over lower-cased text with straight apostrophes. A team removes a cue by
its name or by the words it matched (`cues: {pain: {remove: ["slow"]}}` in custlens.yaml).
"""

from __future__ import annotations

import re

# Verbs of a request for a product change, shared by the request patterns below.
_CHANGE = (
    r"(?:add|allow|enable|disable|provide|support|include|implement|introduce|offer|bring|expose|integrate|create"
    r"|make|give|let|improve|extend|update|change|remove|show|display|increase|reduce|open|port|release|unify"
    r"|merge|separate|restore|return|revert|ensure|pin|put|move|hide|rename|simplify|combine|split|replace"
    r"|redesign|drop|limit|raise|lower|expand|sync|automate|notify|warn|remind|send|default|group|sort|filter"
    r"|save|store|prioriti[sz]e|consider|accept|handle|respect|recogni[sz]e|block|check|upgrade|fix|reintroduce"
    r"|bring back|get rid of|look into|think about|invest in|focus on|publish|document|locali[sz]e|translate)"
)
# What can follow "should" / "needs to" in a request ("it should support", "the app needs to remember").
_MODAL_OBJECT = (
    r"(?:be|have|support|allow|let|include|provide|offer|add|show|display|give|make|come|work|get|use|open|stop"
    r"|start|remember|accept|bring|consider|release|expose|integrate|keep|enable|ship|become|automatically|update"
    r"|sync|send|remind|take|create|help|change|follow|tell|notify|warn|ask|count|treat|handle|respect|recogni[sz]e"
    r"|block|check|also|exist|appear|list|link|remove|hide|limit|contain|run|apply|cover|reflect|save)"
)
_GOOD = (
    r"(?:nice|great|good|helpful|useful|awesome|cool|better|ideal|handy|amazing|fantastic|wonderful|lovely|valuable"
    r"|beneficial|easier|simpler|convenient|perfect|brilliant|excellent|neat|sweet|preferable|desirable|welcome"
    r"|interesting|smart|wise|logical|sensible|natural|intuitive|pleasant|an improvement|a good idea"
    r"|a great idea|a plus|a bonus|a big help|a huge help|a lifesaver|a game changer)"
)

# After a word that can be a verb or a noun ("sync", "export"), these show it is the subject, not a request:
# "sync doesn't work", "export button is hidden".
_NOT_A_VERB = (
    r"(?!\s+(?:is|was|are|were|does|doesn't|don't|didn't|did|won't|can't|cannot|has|have|had|keeps|kept|takes|took"
    r"|fails|failed|broke|breaks|crashes|crashed|seems|seemed|stopped|stops|never|always|still|only|isn't|wasn't"
    r"|aren't|should|would|could|will|must|page|button|settings?|screen|feature|option|view|function|tab|menu"
    r"|field|link|works|worked|loads|shows|showed|lags|hangs)\b)"
)

NEED_CUES: tuple[tuple[str, str], ...] = (
    ("wish", r"\b(?:i|we|they|he|she|you|users|customers|clients|everyone) (?:really |just |so |still )?wish(?:ed|es)?\b|\bif only\b|\bwish ?list\b|\bwishing\b|\bif (?:i|we) (?:could|were able to) (?:just |only |simply |somehow )?(?!(?:have|be)\b)[a-z]+|\bideally\b(?![^.;!?]{0,40}?\b(?:should|would|could|must)(?: have|'ve)\b)|\bideal world\b|\b(?:my|our|the) dream (?:is|would be)\b"),
    ("would be good", rf"\b(?:would|will)(?:n't|'t| not)?(?: it)? (?:also |really |definitely |certainly |probably |just |surely )?(?:be|make it|make things|make life|make (?:my|our|the) (?:life|job|work|day))(?: so| really| very| much| super| extremely| a lot| even| way| far| quite| pretty| more| much more| a lot more)? (?:a )?{_GOOD}\b|\b(?:it|that|this)'d be (?:so |really |very |much )?(?:a )?{_GOOD}\b"),
    ("would help", r"\bwould (?:really |also |definitely |greatly |hugely |massively |certainly |surely )?(?:help|save|solve|improve|simplify|speed up|allow|enable|let|open up|make (?:it|things|life|the|my|our|a)|give|reduce|cut|prevent|avoid|eliminate|streamline|benefit|increase|encourage|attract|bring)\b"),
    ("would like", r"\b(?:i|we|they|users|people|developers|customers|clients|everyone|he|she|many|most|some)(?: would|'d| really| also) (?:really |also |just |much |definitely |so |very )?(?:like|love|prefer|appreciate|want|need|welcome|enjoy|pay|switch|use|buy|kill for|give anything)\b|\b(?:i|we)(?:'d| would) (?:much )?rather (?:the|it|you|they|have|see|get|pay|use|had|a|an)\b"),
    ("want", r"\b(?:i|we|they|he|she|users|customers|clients|people|developers)(?: really| just| also| still| all| badly| desperately| definitely)? (?:want|wants|wanted|need|needs|needed|require|requires|are missing|am missing) (?:a|an|some|more|better|the ability|an option|a way|it to|them to|this|that|something|support|access|proper|real|native|full|faster|easier|simpler|automatic|the option|integration|[a-z]+ (?:support|integration|option|feature|mode|button|api))\b"),
    # what a research note reports someone wants or asked for, with or without the subject: "Wants to preview
    # the e-mail first", "The owner wants a weekly summary", "Would like reminders by text"
    ("wants", r"(?:^(?:also |still )?|\b(?!(?:nobody|nothing|who|what|which|it|that|this)\b)[a-z]+ (?:also |still |really )?)(?:wants|wanted|asked for|asks for|is asking for|requested|requests) (?!(?:me|us|you|him|her|them|nothing|no)\b)[a-z]+|^(?:also |still |really )?(?:would|'d) (?:like|love|prefer|welcome|appreciate)\b|^(?:also |still |really )?needs to\b"),
    # what someone asked to have: "asked to be told", "asked us to add", "asked whether it could"
    ("asked to", rf"\basked (?:us |the team |support |the vendor )?(?:to be (?:told|alerted|notified|informed|kept|warned|reminded|able|added|included|updated|called|contacted)|whether (?:it|we|you|they|the \w+) (?:could|can|would|will)|if (?:it|we|you|they|the \w+) (?:could|can|would|will))\b|\basked (?:us|the team|support|the vendor) to {_CHANGE}\b"),
    # what a customer would do if the product changed: "I'd sign today if you had timesheets", "won't
    # come back unless sync is fixed", "if it could do reports, we'd switch"
    ("would if", r"\b(?:would|'d|might)(?: consider| be happy to| gladly| happily)? (?:come back|coming back|return|returning|sign|signing|buy|buying|switch|switching|stay|staying|upgrade|upgrading|pay|paying|renew|renewing)\b[^.;!?]{0,80}?\b(?:if|as long as) (?!(?:anyone|anybody|someone|somebody|asked|needed|necessary|required|possible|i|we)\b)|\b(?:won't|will not|wouldn't|would not|not going to|refuse to) (?:come back|return|renew|buy|sign|switch|stay|upgrade|pay|use it|consider)\b[^.;!?]{0,60}?\bunless\b|\bif (?:you|it|they|the \w+) (?:had|could|did|supported|offered|would|added|let)\b[^.;!?]{0,80}?\b(?:i|we|they)(?:'d| would|'ll| will)(?! have\b)\b"),
    # what the product itself has to do: "the app needs to cope with one bar of signal", "it needs to work
    # offline" ("it has to" is left out: "it has to restart every time" is a complaint)
    ("it needs to", r"\b(?:it|the (?:app|software|system|tool|product|platform|program|site|website|service|portal|calendar|page|form|report|dashboard|integration))(?: really| just| also| still| simply)? needs to (?!be (?:a|an|the|said)\b)[a-z]+"),
    # a wish said as a question or an aside: "why can't it just remember the site?", "if there was a way to
    # ...", "the one thing I'd change is ...", "we're crying out for ..."
    ("why can't it just", r"\bwhy (?:can't|couldn't|doesn't|won't|isn't|don't) (?:it|they|you|we|the \w+) (?:just|simply) [a-z]+|\bif there (?:was|were|could be|is) (?:a|an|some|one) (?:way|option|button|place|screen|setting|report|tool|feature)\b|\b(?:the )?(?:one|only|first|main) thing (?:i|we)(?:'d| would) (?:change|add|ask for|fix|want|love)\b|\b(?:crying out|screaming|begging|dying|desperate|itching) for\b"),
    ("want to", rf"\b(?:i|we|users|developers|customers|people)(?: really| also| just| would)? (?:want|like|need) to (?:be able to|have|see|{_CHANGE})\b"),
    # the wish in so many words: "I just want to know where the van is", "all I need is one screen"
    ("just want", r"\b(?:i|we|they|he|she)(?: really| just| only| simply| honestly)? (?:want|wants) (?:to (?!(?:speak|talk|complain|cancel|unsubscribe|leave|quit|close|return|report|dispute|escalate|file|know why|ask why|get my money|get a refund)\b)[a-z]+|(?:the|my|our|this|that|their|his|her) [a-z]+ to [a-z]+)|\b(?:i|we)(?: really| just| only| simply)? need to (?:know (?!why)|see|be able|have|track|keep)\b|\b(?:what|all|the one thing|the only thing) (?:i|we|they|he|she) (?:really |actually |just |ever |would |'d )?(?:need|want|would like|'d like|need from|want from)\b[^.;!?]{0,60}?\bis\b"),
    ("need for", r"\b(?:need|needs) (?:of|for) (?:a|an|the|some|better|more|[a-z]+)\b|\bmy ask is\b"),
    ("we need", r"\b(?:we|i|users|developers|customers|people|they)(?: really| badly| desperately| definitely| also| still| just| absolutely| seriously)? need(?!s)(?! to (?:speak|talk|call|contact|know|reach|get|return|cancel|change|find|go|pay|wait|sort|fix|ask|try))(?! (?:help|assistance|someone|somebody|an answer|a response|a reply|a refund))\b"),
    ("needed", r"\b(?:is|are|be|badly|really|desperately|definitely|urgently|also|still|sorely)? ?needed\b|\bmust[- ]have\b|\bnice[- ]to[- ]have\b|\ba must\b"),
    ("need a way", r"\b(?:need|needs|needed|want|wants) (?:a|an|some|some kind of|some sort of)? ?(?:way|option|ability|setting|button|feature|tool|mode|place|view|report|integration|means) (?:to|for|that)\b"),
    ("needs to", rf"\b(?:needs|need|ought|has|have) to (?:be able to|{_MODAL_OBJECT}|{_CHANGE})\b(?! (?:replaced|fixed|repaired|returned|refunded|resolved|sorted))"),
    ("please", rf"\b(?:please|pls|plz|kindly)(?: also| just| kindly| consider| could you| can you| can we| guys| devs| team)? (?:{_CHANGE}|do)\b"),
    ("should", rf"\b(?:should|must|shall|ought to)(?: really| also| just| definitely| probably| simply| still| at least| be able to| not only| always| automatically| by default| not| never)? (?!i\b|we\b|you\b|have been\b|have known\b|'ve\b|have [a-z]+ed\b)(?:{_MODAL_OBJECT}|[a-z]+)\b"),
    ("could", rf"\b(?:it|this|they|you|we|there|developers|users|which|that|one)(?: really| also| just| simply| easily)? could (?:also |really |just |simply |easily )?(?:be (?:added|made|implemented|improved|extended|changed|integrated|done|solved|fixed|better)|{_CHANGE})\b"),
    ("there should be", r"\bthere (?:should|must|could|needs to|ought to|has to|need to) be\b"),
    ("can you add", rf"\b(?:can|could|would|will) (?:you|they|we|developers|the team|the devs) (?:please |also |guys |possibly |maybe |kindly |just )?{_CHANGE}\b|\bwhy (?:not|don't (?:you|we|they)) (?:just )?{_CHANGE}\b|\b(?:can|could) (?:we|i) (?:please )?(?:have|get)\b"),
    ("any plans", r"\b(?:any|are there|is there an?) (?:chance|plans?|roadmap|eta|timeline|hope|possibility)\b"),
    ("feature request", r"\bfeature requests?\b|\b(?:i|we) (?:request|propose|suggest|recommend)\w*\b|\bmy (?:request|suggestion|proposal|idea) (?:is|would be)\b|\bsuggestion\b|\bproposal\b"),
    ("consider", r"\bconsider(?:ing)? (?:adding|making|allowing|supporting|providing|including|changing|implementing|introducing|offering)\b"),
    ("hope", r"\b(?:i|we) (?:hope|hoped|am hoping|are hoping|'m hoping|'re hoping) (?:that |you |they |it |there |for |someone |the )"),
    ("looking for", r"\b(?:i|we)(?: am|'m| are|'re| was| were) (?:looking|searching|hoping) for (?:a|an|some|the|way)\b"),
    ("ability to", r"^(?:being able to|the ability to|an? (?:option|way|setting|button|toggle|switch|ability) to|having (?:a|an|the) (?:option|way|ability|setting|button)|(?:more|better|faster|easier|simpler) (?:control|options|support|ways?|integration)|support for|integration with|access to|an? (?:api|sdk) (?:for|to))\b"),
    ("imperative", rf"^(?:(?:please|pls|plz|kindly|just|also,?|and|or|so|then|maybe|perhaps|simply|at least|ideally|instead,?|alternatively,?|otherwise,?)\s+)*(?:{_CHANGE}|use|detect|relax|adopt|require|enforce|validate|verify|track|log|record|export|import|share|schedule|tag|label|highlight|flag|attach|archive|(?:don't|do not|never) (?:{_CHANGE}|let|force|make|require|ask))\b(?! me know| sure| of\b){_NOT_A_VERB}|^(?:if|when|once|whenever|instead of|rather than|for example|e\.g\.|otherwise)\b[^,]{{0,80}},\s*(?:please |then |just )?{_CHANGE}\b(?! me know| sure)"),
)

PAIN_CUES: tuple[tuple[str, str], ...] = (
    ("crash", r"\b(?:crash|crashes|crashed|crashing|freez(?:e|es|ing)|froze|frozen|hangs|glitch(?:es|y)?|bug|bugs|buggy|broken|broke|outage|down again|is down|was down|went down|are down|offline again|messed up|screwed up|falls? apart|fell apart|falling apart|leaks?|leaking|cuts? out|cut off|drops? out|keeps dropping|stops? working|stopped|died|dead|won't (?:turn|switch|power) on|does nothing|nothing happens|(?:not|isn't|wasn't|won't|doesn't) let(?:ting)? (?:me|us)|(?:logs?|signs?|kicks?|logging|signing|kicking) (?:me|us|you|them|her|him) out|(?:logged|signed|kicked) out|(?:is|are|was|were|all) gone)\b"),
    ("error", r"\berror(?:s)?\b|\bfail(?:s|ed|ing|ure|ures)?\b|\bout of sync\b|\bdenied\b|\brejected\b|\bdeclined\b|\bcancell?ed (?:my|our|the|on)\b|\bunresponsive\b|\bnot (?:secure|safe)\b|\bdangerous\b|\bunsafe\b|\binvalid\b|\b(?:was|were|is|are) supposed to\b|\bsort (?:it|this|yourselves) out\b|\bhow (?:is|'s) (?:that|this) (?:fair|ok|okay|acceptable|possible|legal)\b"),
    ("not working", r"\b(?:not|stopped|stop|isn't|aren't|wasn't|weren't|never) (?:working|loading|responding|syncing|showing|updating|opening|connecting|sending|arriving|arrived|delivered|received|refunded|fixed|resolved|answered|replied|responded|helpful|happy|impressed|acceptable|good enough|ok|okay|fair|right|clear|possible|reliable|what i (?:ordered|paid for|expected))\b"),
    ("doesn't work", r"\b(?:doesn't|does not|don't|do not|didn't|did not|won't|will not|wouldn't|would not|can't|cannot|can not|couldn't|could not|isn't|is not|aren't|wasn't|haven't|hasn't|still no|still not|still haven't|still hasn't|still can't|still don't) (?:work|load|open|sync|connect|show|save|update|respond|accept|recogni[sz]e|find|get|see|seem|let|allow|arrive|receive|come(?! back)|reply|answer|help|turn up|log ?in|sign ?in|access|use|download|install|print|pay|charge|refund|exist|support|make sense|add up|match|got|received|heard|arrived|worked|had|sound right|care|trust|keep|stay|remember|notice|tell|know|run|be (?:used|done|found|seen|saved|changed|edited|recorded|tracked|entered|opened|loaded|printed|exported|imported|fixed|trusted|reached|booked|set))\b|\bnothing (?:loads|works|syncs|saves|updates|shows up|prints|opens)\b"),
    ("keeps failing", r"\bkeeps? (?:on )?(?:crashing|failing|logging|freezing|dropping|asking|breaking|losing|happening|getting|showing|telling|sending|charging|cancell?ing|disconnecting|resetting|forgetting|signing|kicking|going|popping|closing|restarting|saying|turning|missing|double|hanging|deleting|changing|reverting)\b|\b(?:again and again|every single time|time after time|over and over|yet again|for the (?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time (?:this|in|today|now))\b"),
    ("lost", r"\b(?:lost|lose|loses|losing|missing|disappear(?:s|ed|ing)?|vanish(?:es|ed)?|deleted|wiped|overwritten|overwrites|duplicated)\b"),
    ("slow", r"\b(?:slow|slowly|slower|slowness|sluggish|laggy|lags|lagging|takes? (?:forever|ages|too long|so long|hours|days|minutes|a long time|way too long)|took (?:forever|ages|hours|days|weeks|months|so long|too long)|takes? (?:an? |a full |a whole |the whole |half an? )?(?:hour|day|morning|afternoon|evening)|time[- ]consuming|tedious|waste(?:s|d)? (?:of )?(?:my |our |so much |a lot of |\w+ )?(?:time|money|hours|days|weeks|months|a day|an hour|an afternoon|a morning)|wasting)\b"),
    ("waiting", r"\b(?:should(?: have|'ve) been|still waiting|waiting (?:for|on|since)|been waiting|on hold|no one (?:has|is|came|answered|replied|called|seems)|nobody (?:has|is|came|answered|replied|called|seems)|delay|delays|delayed|overdue|late again|running late|(?:minutes|hours|days) late|hours behind|days behind|(?:hours?|days?|weeks?|months?) (?:and still|now and|without)|yet to (?:receive|hear|get)|still (?:no|not|nothing|messed|broken|waiting|wrong|late|down|unable|having|getting|charging|showing|shows|the same))\b"),
    ("frustrating", r"\b(?:frustrat\w*|annoy\w*|irritat\w*|infuriat\w*|hate|hated|hates|hating|disappoint\w*|terrible|terribly|horrible|horrendous|horrific|awful|worst|ridiculous|useless|unacceptable|pathetic|appalling|atrocious|dreadful|shocking|nightmare|headache|hassle|struggl\w*|stuck|fed up|sick of|tired of|upset|angry|furious|livid|outraged|rubbish|garbage|crap|crappy|shitty|sucks|joke|disgrace\w*|disgust\w*|shambles|chaos|mess|messy|scam|rip ?off|rude|incompetent|unprofessional|embarrass\w*|poor|bad|worse|painful|pain|ugh|regret|complain\w*|unhappy|dissatisfied|confus\w*|misleading|unreliable|inconsistent|clunky|cumbersome|awkward|unusable|unclear|overwhelm\w*|epic fail|never again|never (?:buy|use|fly|shop|order)|last time i|wasted|pointless|really mad|mad at)\b"),
    ("hard to", r"\b(?:hard|difficult|impossible|tricky|confusing|awkward|painful|a pain|a nightmare|a hassle|no easy way|no way|unable|not possible|not able) to\b|\bcan't (?:find|figure|tell|see|work out|get|use|access|login|log in|sign in|seem|believe|reach|even|do)\b|\bno idea (?:how|why|where|what)\b"),
    ("by hand", r"\b(?:manually|by hand|retyp\w*|re-?typ\w*|re-?enter\w*|copy(?:ing)? and past\w*|double[- ]?(?:book\w*|entry|charged|billed)|no[- ]shows?|workaround|work around|have to (?:manually|call|phone|ring|chase|keep|go back|redo|re-?do|start over|wait|pay|check|copy|remember)|had to (?:call|phone|ring|chase|wait|pay|redo|start over|go|drive|cancel|return))\b"),
    ("charged", r"\b(?:overcharg\w*|charg(?:ed|ing) (?:me |us )?(?:twice|again|double|for)|charg(?:ed|ing) (?:me|us)\b|being charged|refund\w*|too expensive|so expensive|very expensive|expensive|overpriced|price (?:hike|increase)|costs? (?:us|me) (?:a|an|hours|money|time)|extra charge|hidden fees?|double charge\w*|billing (?:error|mistake|issue))\b"),
    # spoken complaints: what the product makes of the speaker ("I'm basically a reminder service", "half
    # my job is chasing"), and the sarcasm that is never meant ("thanks for nothing")
    ("basically a", r"\b(?:i'm|i am|we're|we are|i've become|we've become) (?:basically|essentially|literally|practically|effectively|apparently|a glorified) (?:a|an|the)\b|\b(?:is|like|basically|practically|become|became) a (?:full-time|part-time|second|unpaid) job\b|\bhalf (?:my|our|her|his|their) (?:job|day|time|week|morning|afternoon|evening) (?:is|goes|went|gets)\b"),
    ("sarcasm", r"\bthanks for nothing\b|\bgotta love (?:it )?(?:when|how)\b"),
    # burdens people describe without a problem word: ending up doing it, chasing, guessing, doing it twice,
    # what nobody knows, what falls through the cracks, what drives them mad
    ("end up", r"\b(?:i|we|they|you|she|he|staff|everyone|people) (?:always |usually |often |just |then |still )?end(?:s|ed)? up (?:having to|doing|calling|phoning|ringing|typing|retyping|copying|paying|waiting|spending|chasing|redoing|writing|driving|going back|with (?:two|double|duplicate|the wrong))\b|\bchas(?:e|es|ed|ing) (?:up|down|people|customers|clients|payments|invoices|them|him|her|everyone)\b|\b(?:flying blind|(?:kept|left) in the dark|in the dark about|guesswork|educated guess|best guess)\b|\b(?:fall|falls|fell|falling|slip|slips|slipped|slipping) through the cracks\b|\b(?:nobody|no one) (?:knows (?:which|where|when|whether|if|what|who|how)|can tell|remembers|checks|reads|sees|notices|updates|owns)\b|\bdrives? (?:me|us|them|her|him|everyone) (?:mad|crazy|nuts|insane|up the wall|round the bend)\b|\b(?:i|we) dread\b|\b(?:enter|type|key|write|copy|do|redo|input|log|check)(?:s|ed|ing)? (?:[a-z]+ ){0,3}(?:twice|two times|three times|all over again)\b(?! a (?:day|week|month|year))"),
    ("problem", r"\b(?:problem|problems|issue|issues|trouble|troubles|difficult(?:y|ies)|wrong|incorrect|inaccurate|damaged|defective|faulty|risk|risky|worr(?:y|ied|ies)|concern(?:ed|s)?|complaint|complaints)\b"),
    ("no response", r"\b(?:no (?:response|reply|replies|answer|one|help|update|updates|word|email|call|refund|notification|confirmation|communication|internet|service|signal|power|wifi|water)|never (?:received|got|arrived|came|heard|responded|replied|answered|showed|works|again)|haven't (?:received|heard|got|had)|hasn't (?:arrived|come|been|shown)|not (?:received|arrived|delivered|refunded)|nothing back)\b"),
    ("please fix", r"\b(?:please|pls|plz) (?:fix|sort|help|explain|stop|respond|reply|look into|get back|call)\b|\bneeds? (?:to be )?(?:fixing|fixed|replac\w+|repair\w*|sort\w* out|resolv\w*)\b|\b(?:can|could) (?:someone|somebody|anyone|you) (?:please )?help\b|\bhelp me\b|\bany (?:fix|help|update|news|word) (?:on|for|about|yet|\?)|\bneed (?:help|assistance|someone to|an answer|a response|a reply|a refund)\b|\bstop (?:sending|texting|emailing|calling|charging|spamming)\b"),
    ("why", r"\bwhy (?:is|are|am|do|does|did|has|have|can't|won't|isn't|aren't|doesn't|don't|didn't|hasn't|haven't|was|were|on earth|would you|would i|must|should i)\b|\b(?:where(?:'s| is| are) (?:my|our|the)|what happened to|what gives|what is going on|what's going on|what's the point|how long (?:do|does|will|should|must|until)|how many (?:more )?times|when (?:will|can) (?:i|we|my|our|this|it|you))\b"),
)

# Cues that a statement reports something fine: praise, a task done with ease, a problem denied ("was
# better" and "is clear" are not praise: "it was better before the update", "it's clear nobody tested it";
# "looks better" is). Not a type of their own: with the semantic engine they count for "other", and only
# in a statement no pain or need cue counts in, so a neutral or happy remark the model would call a pain
# stays other. Negated like pain cues ("not happy with" is no praise).
FINE_CUES: tuple[tuple[str, str], ...] = (
    ("likes", r"(?:^|\b(?:i|we|they|he|she) (?:really |also |all |both |still )?)(?:like[sd]?|love[sd]?|enjoy(?:s|ed)?|prefer(?:s|red)?|appreciate[sd]?|praised?) (?:the|it|this|that|how|our|your|its|using|being|having|working)\b"),
    ("happy with", r"\b(?:happy|pleased|satisfied|delighted|impressed|thrilled) (?:with|by|about)\b|\b(?:positive|enthusiastic|warm|warmly) about\b|\bspoke (?:warmly|highly|well)\b"),
    ("works well", r"\b(?:works?|working|runs?) (?:really |very |so |pretty |perfectly |just )?(?:well|fine|great|nicely|smoothly|perfectly|flawlessly|as expected)\b|\bjust works\b|\bnever let (?:us|me|them|her|him) down\b"),
    ("is good", r"\b(?:is|are|looks?|feels?|seems?|'s|'re) (?:so |really |very |much |pretty |super |quite |a lot )?(?:great|excellent|solid|clean|(?:easy|easier)(?! to (?:lose|miss|forget|make|break|get|mess|overlook|confuse|mix|double|accidentally|delete|overwrite))|fast(?! to)|quick(?! to)|smooth|professional|intuitive|reliable|brilliant|perfect|lovely|fantastic|amazing)\b|\b(?:looks?|feels?|seems?) (?:so |much |a lot |way )?(?:better|faster|quicker|nicer)\b"),
    ("with ease", r"\b(?:did|done|finished|completed|set up|found|booked|created|added|made|managed|sorted|worked out|figured out|got through)\b[^.;!?]{0,60}?\b(?:without (?:any |much )?(?:help|trouble|problems?|issues?|difficulty|hesitation|errors?)|in (?:under|less than|about|just|only) (?:a|an|a few|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|\d+) (?:seconds?|minutes?|clicks?|taps?|steps?)|on (?:the|her|his|their|my|our|the very) first (?:try|attempt|go))\b"),
    ("no complaints", r"\bno (?:complaints?|problems?|issues?|concerns?)\b"),
)

# Before a fine cue, what takes the praise back: "far from happy with", "would be happy with" (a wish),
# "used to work well" (no more). Only the words right before the cue are read.
FINE_TAKEN_BACK = re.compile(r"(?:\bfar from|\bwould be|'d be|\bused to|\bwould have been|'d have been)\s*$")

# After a fine cue, a contrast says what the statement is about: "set it up in a minute, but didn't see ..."
FINE_UNLESS = re.compile(r"\b(?:but|however|though|although|except|until)\b")

# Cues that carry their own negation ("not working"), so a negation before them does not cancel them.
SELF_NEGATED = frozenset({"not working", "doesn't work", "no response", "hard to", "waiting", "crash"})

# A clause that says something is *not* a problem ("double booking is not a problem", "the app never
# crashes", "price didn't come up as an issue"): its pain cues do not count; other clauses' still do.
DENIAL = re.compile(
    r"\b(?:not|no longer|never|hardly|nothing|no)\W+(?:(?:been|really|ever|a|an|any|such|of|that|very|so|too|big|real|major|huge|serious|much|the|for|us|me|them)\W+){0,3}"
    r"(?:problem|problems|issue|issues|concern|concerns|bother|worry|worries|complaint|complaints|trouble|dealbreaker|deal-breaker)\b"
    r"|\b(?:didn't|did not|never|doesn't|does not|hasn't|has not) (?:really |ever )?(?:come|came) up\b"
    r"|\b(?:never|doesn't|does not|didn't|did not|hasn't|has not|haven't|have not|won't|no longer)(?: ever| once)? (?:crash(?:es|ed)?|freez(?:e|es)|froze|hang|hangs|lag|lags|fail(?:s|ed)?|break|breaks|broke|go down|goes down|went down|glitch(?:es)?)\b"
    # "anymore" within 200 characters of the same sentence: looked for up to the end of the sentence,
    # a sentence of many "isn't slow" was scanned again from each of them
    r"|\b(?:doesn't|does not|don't|do not|isn't|is not|aren't|are not)(?: keep| ever)? (?:crash\w*|freez\w*|lag\w*|hang\w*|fail\w*|break\w*|slow|buggy|an? (?:issue|problem))\b[^.;!?]{0,200}?\banymore\b"
)
# Where a denial stops: the end of a sentence, or a contrast ("... is not a problem, but exports fail").
# A run of punctuation is tried from its first mark only (the lookbehind), not again from each mark.
CLAUSE_BREAK = re.compile(r"(?<![.!?;])[.!?;]+(?:\s|$)|\b(?:but|however|though|although|except|yet|still)\b")

# Advice to other people is not a need of the speaker ("you should try restarting", "make sure you ...").
ADVICE = re.compile(
    r"(?:(?:^|[.!?;:,]\s*|\b(?:maybe|perhaps|then|just|i think|i'd say|honestly|otherwise|alternatively)\s+)you (?:should|could|can|might want to|may want to|need to|have to|must)(?: also| just| simply| really)?"
    r" (?:try|use|check|go|look|install|download|read|ask|contact|call|consider|search|visit|make sure|restart"
    r"|reboot|reinstall|clear|turn|buy|get|switch|avoid|stay|watch|listen)|\bi (?:would |'d )?(?:recommend|suggest)"
    r" (?:you|that you|using|trying|checking)|\bmake sure (?:you|to)|^try (?:using|to|this|that|it|the|a)"
    r"|\bhave you tried|\bgive it a (?:try|go)|\blet me know|\bfeel free to)\b"
)
# A need the speaker states outright survives advice in the same sentence.
OWN_NEED = re.compile(r"\b(?:i|we) (?:really )?(?:wish|need|want)\b")
