// Lexer for .tts strategy files. Regenerate the C# with `bash scripts/generate-parser.sh`.
lexer grammar TtsLexer;

// Keywords
MODEL      : 'model';
STRATEGY   : 'strategy';
POPULATION : 'population';
SAMPLE     : 'sample';
LET        : 'let';
RETURN     : 'return';
TRUE       : 'true';
FALSE      : 'false';
AND        : 'and';
OR         : 'or';
NOT        : 'not';
REWARD     : 'reward';
VERIFIER   : 'verifier';
EXTRACTOR  : 'extractor';
CLAIMS     : 'claims';
BUDGET     : 'budget';
SMC        : 'smc';
SEARCH     : 'search';
EXTEND     : 'extend';
FACTOR     : 'factor';
OBSERVE    : 'observe';
CONDITION  : 'condition';
FORK       : 'fork';
REFINE     : 'refine';
RACE       : 'race';
REEXTEND   : 'reextend';
// Soft keywords: also usable as names (see the parser's `identifier` rule).
BY         : 'by';
WITH       : 'with';
FIRST      : 'first';
SCORE      : 'score';
TWIST      : 'twist';
WHERE      : 'where';

// Punctuation and operators
ARROW    : '->';
PLUSEQ   : '+=';
LPAREN   : '(';
RPAREN   : ')';
LBRACE   : '{';
RBRACE   : '}';
LBRACKET : '[';
RBRACKET : ']';
COMMA    : ',';
COLON    : ':';
EQEQ     : '==';
NOTEQ    : '!=';
LESSEQ   : '<=';
GREATEREQ: '>=';
LESS     : '<';
GREATER  : '>';
ASSIGN   : '=';
PLUS     : '+';
MINUS    : '-';
STAR     : '*';
SLASH    : '/';
PERCENT  : '%';

// Literals
REAL : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT;
INT  : DIGITS;
STRING : '"' (ESCAPE | ~["\\\r\n])* '"';
// A string that reaches the end of the line: the parser reports it with a curated message.
UNTERMINATED_STRING : '"' (ESCAPE | ~["\\\r\n])*;

IDENTIFIER : [a-zA-Z_] [a-zA-Z_0-9]*;

// Comments stay on their own channel so doc comments can be read later.
LINE_COMMENT  : '//' ~[\r\n]* -> channel(2);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(2);
WHITESPACE    : [ \t\r\n]+ -> skip;

// Anything else becomes one token the parser reports, so the lexer itself never fails.
UNEXPECTED_CHARACTER : .;

fragment DIGITS   : [0-9]+;
fragment EXPONENT : [eE] [+-]? DIGITS;
fragment ESCAPE   : '\\' .;
