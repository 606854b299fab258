// Parser for .tts strategy files (language v0). Regenerate the C# with `bash scripts/generate-parser.sh`.
parser grammar TtsParser;

options { tokenVocab = TtsLexer; }

compilationUnit
    : declaration* EOF
    ;

declaration
    : modelDeclaration
    | strategyDeclaration
    ;

// model policy: lm
modelDeclaration
    : MODEL name=IDENTIFIER COLON kind=IDENTIFIER
    ;

// strategy name(p: type = default, ...) -> type { ... }
strategyDeclaration
    : STRATEGY name=IDENTIFIER LPAREN parameterList? RPAREN ARROW returnType=typeReference block
    ;

parameterList
    : parameter (COMMA parameter)*
    ;

parameter
    : name=IDENTIFIER COLON typeReference (ASSIGN defaultValue=expression)?
    ;

typeReference
    : IDENTIFIER
    ;

block
    : LBRACE statement* RBRACE
    ;

statement
    : populationStatement
    | letStatement
    | returnStatement
    ;

// population xs = sample policy(prompt, n: 8, temperature: 0.7)
populationStatement
    : POPULATION name=IDENTIFIER ASSIGN SAMPLE model=IDENTIFIER LPAREN argumentList? RPAREN
    ;

letStatement
    : LET name=IDENTIFIER ASSIGN expression
    ;

returnStatement
    : RETURN expression
    ;

argumentList
    : argument (COMMA argument)*
    ;

argument
    : (name=IDENTIFIER COLON)? expression
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
    | callee=(IDENTIFIER | SAMPLE) LPAREN argumentList? RPAREN      # callPrimary
    | IDENTIFIER                                                    # namePrimary
    | LPAREN expression RPAREN                                      # parenthesizedPrimary
    | LBRACKET (expression (COMMA expression)*)? RBRACKET           # listPrimary
    ;

literal
    : INT
    | REAL
    | STRING
    | TRUE
    | FALSE
    ;
