// Parser for .tts strategy files. Regenerate the C# with `bash scripts/generate-parser.sh`.
// docs/language.md is the reference, with one example per construct.
parser grammar TtsParser;

options { tokenVocab = TtsLexer; }

compilationUnit
    : declaration* EOF
    ;

declaration
    : modelDeclaration
    | functionDeclaration
    | strategyDeclaration
    ;

// model policy: lm
modelDeclaration
    : MODEL name=identifier COLON kind=identifier
    ;

// reward prm: Score | verifier valid | extractor final_answer: bound at run time to C# (or built-in) functions of a text
functionDeclaration
    : kind=(REWARD | VERIFIER | EXTRACTOR) name=identifier (COLON typeReference)?
    ;

// strategy name(p: type = default, ...) -> type claims exact budget tokens <= 100 { ... }
strategyDeclaration
    : STRATEGY name=identifier LPAREN parameterList? RPAREN ARROW returnType=typeReference strategyClause* block
    ;

strategyClause
    : CLAIMS guarantee=identifier                                   # claimsClause
    | BUDGET budgetLimit (COMMA budgetLimit)*                       # budgetClause
    ;

// tokens <= 4096 * n
budgetLimit
    : resource=identifier LESSEQ expression
    ;

parameterList
    : parameter (COMMA parameter)*
    ;

parameter
    : name=identifier COLON typeReference (ASSIGN defaultValue=expression)?
    ;

typeReference
    : identifier
    | POPULATION
    ;

block
    : LBRACE statement* RBRACE
    ;

statement
    : LET name=identifier ASSIGN expression                                         # letStatement
    | POPULATION name=identifier ASSIGN populationSource                            # populationStatement
    | SMC target=identifier loopOptions? block                                      # smcStatement
    | SEARCH target=identifier loopOptions? block                                   # searchStatement
    | EXTEND target=identifier BY model=identifier LPAREN argumentList? RPAREN      # extendStatement
    | REEXTEND target=identifier WHERE condition=expression BY model=identifier LPAREN argumentList? RPAREN  # reextendStatement
    | FACTOR target=identifier PLUSEQ expression                                    # factorStatement
    | OBSERVE target=identifier COLON expression                                    # observeStatement
    | CONDITION target=identifier COLON expression                                  # conditionStatement
    | TWIST target=identifier ASSIGN expression                                     # twistStatement
    | SCORE target=identifier ASSIGN expression                                     # scoreStatement
    | FORK block                                                                    # forkStatement
    | REFINE name=identifier ASSIGN initial=expression BY step=expression loopOptions?   # refineStatement
    | RETURN expression                                                             # returnStatement
    ;

// with resample = systematic, ess < 0.5, steps <= 40
// A missing comma is accepted here and reported by the AST builder, so one slip does not lose the whole block.
loopOptions
    : WITH loopOption (COMMA? loopOption)*
    ;

loopOption
    : name=identifier operator=(ASSIGN | LESS | LESSEQ) expression
    ;

populationSource
    : SAMPLE model=identifier LPAREN argumentList? RPAREN                           # sampleSource
    | RACE model=identifier LPAREN argumentList? RPAREN FIRST count=expression      # raceSource
    | expression                                                                    # expressionSource
    ;

argumentList
    : argument (COMMA argument)*
    ;

argument
    : (name=identifier COLON)? expression
    ;

expression
    : primary                                                       # primaryExpression
    | operator=(MINUS | NOT) expression                             # unaryExpression
    | expression operator=(STAR | SLASH | PERCENT) expression       # binaryExpression
    | expression operator=(PLUS | MINUS) expression                 # binaryExpression
    | expression operator=(LESS | LESSEQ | GREATER | GREATEREQ) expression # binaryExpression
    | expression operator=(EQEQ | NOTEQ) expression                 # binaryExpression
    | expression operator=AND expression                            # binaryExpression
    | expression operator=OR expression                             # binaryExpression
    ;

primary
    : literal                                                       # literalPrimary
    | callee=calleeName LPAREN argumentList? RPAREN                 # callPrimary
    | identifier                                                    # namePrimary
    | LPAREN expression RPAREN                                      # parenthesizedPrimary
    | LBRACKET (expression (COMMA expression)*)? RBRACKET           # listPrimary
    ;

calleeName
    : identifier
    | SAMPLE
    ;

// Names, including the soft keywords, which only have a meaning where a statement or clause expects them.
identifier
    : IDENTIFIER
    | BY
    | WITH
    | FIRST
    | SCORE
    | TWIST
    | WHERE
    ;

literal
    : INT
    | REAL
    | STRING
    | TRUE
    | FALSE
    ;
