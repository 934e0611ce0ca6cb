// A small NestJS service documented by @nestjs/swagger (OpenAPI 3.0), for clientgen's live round trips
// (tests/frameworks/test_nestjs.py). Built with tsc into dist/ and run with Node 20: `node dist/main.js PORT`.
//
// NestJS's idioms it exercises: DTO classes with @ApiProperty (optional, required-but-nullable, enums with
// enumName, uuid/date/date-time formats, decimals as strings), camelCase wire names, class-validator with
// the global ValidationPipe (its 400 body), ParseUUIDPipe and ParseArrayPipe, a oneOf with a discriminator
// (@ApiExtraModels + getSchemaPath), a recursive DTO, FileInterceptor / FilesInterceptor uploads, a
// StreamableFile download, url-encoded forms, @HttpCode(204), declared error DTOs, and guards declared
// with @ApiBearerAuth, @ApiBasicAuth and @ApiSecurity.
import "reflect-metadata";

import { createHash, randomUUID } from "node:crypto";

import {
  Body,
  CanActivate,
  ConflictException,
  Controller,
  Delete,
  ExecutionContext,
  Get,
  Headers,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  ParseArrayPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
  UnauthorizedException,
  UploadedFile,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
  Module,
} from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FileInterceptor, FilesInterceptor } from "@nestjs/platform-express";
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  DocumentBuilder,
  SwaggerModule,
  getSchemaPath,
} from "@nestjs/swagger";
import { Type } from "class-transformer";
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsNumberString,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from "class-validator";

const TOKENS = new Map<string, string>();
type WhoAmI = { name: string; scheme: string };
const API_KEY = "nestjs-api-key";

enum Color {
  Red = "red",
  Green = "green",
  Blue = "blue",
}

class ErrorDto {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

class ValidationErrorDto {
  @ApiProperty({ type: [String] }) message: string[];
  @ApiProperty() error: string;
  @ApiProperty() statusCode: number;
}

class CreateItemDto {
  @ApiProperty({ minLength: 1, maxLength: 40 })
  @IsString()
  @Length(1, 40)
  name: string;

  @ApiProperty({ type: String, format: "decimal", example: "12.50" })
  @IsNumberString()
  price: string;

  @ApiProperty({ enum: Color, enumName: "Color" })
  @IsIn(Object.values(Color))
  color: Color;

  @ApiProperty({ pattern: "^[A-Z]{3}-\\d+$" })
  @Matches(/^[A-Z]{3}-\d+$/)
  skuCode: string;

  @ApiProperty({ type: String, format: "date", nullable: true, description: "required, may be null" })
  @ValidateIf((o: CreateItemDto) => o.dueDate !== null)
  @IsDateString()
  dueDate: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  note?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

class UpdateItemDto {
  @ApiPropertyOptional() @IsOptional() @IsString() name?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsString() note?: string | null;
}

class ItemDto extends CreateItemDto {
  @ApiProperty({ format: "uuid" }) id: string;
  @ApiProperty({ type: String, format: "date-time" }) createdAt: string;
}

class CatDto {
  @ApiProperty({ enum: ["cat"] }) @IsIn(["cat"]) kind: "cat";
  @ApiProperty() @IsString() name: string;
  @ApiProperty() @IsInt() lives: number;
}

class DogDto {
  @ApiProperty({ enum: ["dog"] }) @IsIn(["dog"]) kind: "dog";
  @ApiProperty() @IsString() name: string;
  @ApiProperty() @IsBoolean() fetches: boolean;
}

const PET_SCHEMA = {
  oneOf: [{ $ref: getSchemaPath(CatDto) }, { $ref: getSchemaPath(DogDto) }],
  discriminator: {
    propertyName: "kind",
    mapping: { cat: getSchemaPath(CatDto), dog: getSchemaPath(DogDto) },
  },
};

class NodeDto {
  @ApiProperty() @IsString() name: string;

  @ApiPropertyOptional({ type: () => [NodeDto] })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => NodeDto)
  children?: NodeDto[];
}

class TreeStatsDto {
  @ApiProperty() nodes: number;
  @ApiProperty() depth: number;
  @ApiProperty({ type: () => NodeDto }) tree: NodeDto;
}

class FileInfoDto {
  @ApiProperty() field: string;
  @ApiProperty() filename: string;
  @ApiProperty() mimetype: string;
  @ApiProperty() size: number;
  @ApiProperty() sha256: string;
}

class SignupDto {
  @ApiProperty() @IsEmail() email: string;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(13) @Max(130) age: number;
}

class LoginDto {
  @ApiProperty() @IsString() username: string;
  @ApiProperty() @IsString() password: string;
}

class TokenDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() tokenType: string;
}

class WhoDto {
  @ApiProperty() user: string;
  @ApiProperty() scheme: string;
}

class MomentDto {
  @ApiProperty({ type: String, format: "date-time" }) at: string;
  @ApiProperty({ type: String, format: "date" }) day: string;
  @ApiProperty({ type: String, format: "decimal" }) amount: string;
  @ApiProperty({ type: [String], format: "uuid" }) ids: string[];
}

const ITEMS = new Map<string, ItemDto>();
const FILES = new Map<string, Buffer>([["hello.bin", Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256))]]);

function notFound(message: string): NotFoundException {
  return new NotFoundException({ code: "not_found", message });
}

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header: string = context.switchToHttp().getRequest().headers.authorization ?? "";
    const user = header.startsWith("Bearer ") ? TOKENS.get(header.slice(7)) : undefined;
    if (!user) throw new UnauthorizedException();
    context.switchToHttp().getRequest().user = { name: user, scheme: "bearer" };
    return true;
  }
}

@Injectable()
class BasicGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header: string = context.switchToHttp().getRequest().headers.authorization ?? "";
    const [user, password] = Buffer.from(header.replace(/^Basic /, ""), "base64").toString().split(":");
    if (!header.startsWith("Basic ") || user !== "ann" || password !== "pw") throw new UnauthorizedException();
    context.switchToHttp().getRequest().user = { name: user, scheme: "basic" };
    return true;
  }
}

@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest().headers["x-api-key"] !== API_KEY) throw new UnauthorizedException();
    return true;
  }
}

@ApiTags("items")
@ApiBearerAuth()
@UseGuards(BearerGuard)
@ApiBadRequestResponse({ type: ValidationErrorDto, description: "class-validator's messages" })
@Controller("items")
class ItemsController {
  @Post()
  @ApiCreatedResponse({ type: ItemDto })
  @ApiConflictResponse({ type: ErrorDto })
  create(@Body() body: CreateItemDto): ItemDto {
    if ([...ITEMS.values()].some((i) => i.skuCode === body.skuCode)) {
      throw new ConflictException({ code: "conflict", message: body.skuCode });
    }
    const item: ItemDto = { tags: [], ...body, id: randomUUID(), createdAt: new Date().toISOString() };
    ITEMS.set(item.id, item);
    return item;
  }

  @Get()
  @ApiOkResponse({ type: [ItemDto] })
  @ApiQuery({ name: "color", enum: Color, enumName: "Color", isArray: true, required: false })
  @ApiQuery({ name: "limit", type: Number, required: false })
  list(
    @Query("color", new ParseArrayPipe({ items: String, optional: true })) colors?: string[],
    @Query("limit") limit?: string,
  ): ItemDto[] {
    const found = [...ITEMS.values()].filter((i) => !colors || colors.includes(i.color));
    return found.slice(0, limit ? Number(limit) : 100);
  }

  @Get(":id")
  @ApiParam({ name: "id", type: String, format: "uuid" })
  @ApiOkResponse({ type: ItemDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param("id", ParseUUIDPipe) id: string): ItemDto {
    const item = ITEMS.get(id);
    if (!item) throw notFound(`no item ${id}`);
    return item;
  }

  @Put(":id")
  @ApiParam({ name: "id", type: String, format: "uuid" })
  @ApiOkResponse({ type: ItemDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  replace(@Param("id", ParseUUIDPipe) id: string, @Body() body: CreateItemDto): ItemDto {
    const old = this.get(id);
    const item: ItemDto = { tags: [], ...body, id, createdAt: old.createdAt };
    ITEMS.set(id, item);
    return item;
  }

  @Patch(":id")
  @ApiParam({ name: "id", type: String, format: "uuid" })
  @ApiOkResponse({ type: ItemDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  update(@Param("id", ParseUUIDPipe) id: string, @Body() body: UpdateItemDto): ItemDto {
    const item = { ...this.get(id), ...body } as ItemDto;
    ITEMS.set(id, item);
    return item;
  }

  @Delete(":id")
  @ApiParam({ name: "id", type: String, format: "uuid" })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  remove(@Param("id", ParseUUIDPipe) id: string): void {
    if (!ITEMS.delete(id)) throw notFound(`no item ${id}`);
  }
}

@ApiTags("pets")
@ApiExtraModels(CatDto, DogDto)
@Controller("pets")
class PetsController {
  @Post("adopt")
  @ApiBody({ schema: PET_SCHEMA })
  @ApiCreatedResponse({ schema: PET_SCHEMA })
  @ApiConflictResponse({ type: ErrorDto, description: "Not a cat or a dog" })
  adopt(@Body() body: Record<string, unknown>): CatDto | DogDto {
    if (body.kind === "cat" && typeof body.lives === "number") return body as unknown as CatDto;
    if (body.kind === "dog" && typeof body.fetches === "boolean") return body as unknown as DogDto;
    throw new ConflictException({ code: "bad_pet", message: String(body.kind) });
  }

  @Get()
  @ApiOkResponse({ schema: { type: "array", items: PET_SCHEMA } })
  list(): (CatDto | DogDto)[] {
    return [
      { kind: "cat", name: "Tom", lives: 9 },
      { kind: "dog", name: "Rex", fetches: true },
    ];
  }
}

@ApiTags("trees")
@Controller("trees")
class TreesController {
  @Post("stats")
  @HttpCode(200)
  @ApiOkResponse({ type: TreeStatsDto })
  @ApiBadRequestResponse({ type: ValidationErrorDto })
  stats(@Body() tree: NodeDto): TreeStatsDto {
    const nodes = (n: NodeDto): number => 1 + (n.children ?? []).reduce((s, c) => s + nodes(c), 0);
    const depth = (n: NodeDto): number => 1 + Math.max(0, ...(n.children ?? []).map(depth));
    return { nodes: nodes(tree), depth: depth(tree), tree };
  }
}

function info(field: string, file: Express.Multer.File): FileInfoDto {
  FILES.set(file.originalname, file.buffer);
  return {
    field,
    filename: file.originalname,
    mimetype: file.mimetype,
    size: file.size,
    sha256: createHash("sha256").update(file.buffer).digest("hex"),
  };
}

@ApiTags("files")
@Controller("files")
class FilesController {
  @Post()
  @UseInterceptors(FileInterceptor("file"))
  @ApiConsumes("multipart/form-data")
  @ApiBody({
    schema: {
      type: "object",
      required: ["file", "title"],
      properties: { file: { type: "string", format: "binary" }, title: { type: "string" } },
    },
  })
  @ApiCreatedResponse({ type: FileInfoDto })
  upload(@UploadedFile() file: Express.Multer.File, @Body("title") title: string): FileInfoDto {
    return info(title, file);
  }

  @Post("batch")
  @UseInterceptors(FilesInterceptor("files"))
  @ApiConsumes("multipart/form-data")
  @ApiBody({
    schema: {
      type: "object",
      required: ["files"],
      properties: { files: { type: "array", items: { type: "string", format: "binary" } } },
    },
  })
  @ApiCreatedResponse({ type: [FileInfoDto] })
  uploadMany(@UploadedFiles() files: Express.Multer.File[]): FileInfoDto[] {
    return files.map((f) => info("files", f));
  }

  @Get(":name")
  @ApiProduces("application/octet-stream")
  @ApiOkResponse({ schema: { type: "string", format: "binary" } })
  @ApiNotFoundResponse({ type: ErrorDto })
  download(@Param("name") name: string): StreamableFile {
    const data = FILES.get(name);
    if (!data) throw notFound(name);
    return new StreamableFile(data, { type: "application/octet-stream" });
  }
}

@ApiTags("forms")
@Controller("signup")
class SignupController {
  @Post()
  @HttpCode(204)
  @ApiConsumes("application/x-www-form-urlencoded")
  @ApiHeader({ name: "X-Request-Id", required: true })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ type: ValidationErrorDto })
  signup(@Body() body: SignupDto, @Headers("x-request-id") requestId: string): void {
    if (!requestId) throw new ConflictException({ code: "no_request_id", message: "X-Request-Id" });
  }
}

@ApiTags("auth")
@Controller("auth")
class AuthController {
  @Post("login")
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto })
  @ApiBadRequestResponse({ type: ValidationErrorDto })
  login(@Body() body: LoginDto): TokenDto {
    if (body.password !== "secret") throw new UnauthorizedException();
    const token = randomUUID();
    TOKENS.set(token, body.username);
    return { accessToken: token, tokenType: "bearer" };
  }

  @Get("me")
  @ApiBearerAuth()
  @UseGuards(BearerGuard)
  @ApiOkResponse({ type: WhoDto })
  me(@Req() request: { user: WhoAmI }): WhoDto {
    return { user: request.user.name, scheme: request.user.scheme };
  }

  @Get("basic")
  @ApiBasicAuth()
  @UseGuards(BasicGuard)
  @ApiOkResponse({ type: WhoDto })
  basic(): WhoDto {
    return { user: "ann", scheme: "basic" };
  }

  @Get("keyed")
  @ApiSecurity("apiKey")
  @UseGuards(ApiKeyGuard)
  @ApiOkResponse({ type: WhoDto })
  keyed(): WhoDto {
    return { user: "key-holder", scheme: "apiKey" };
  }
}

@ApiTags("values")
@Controller("moments")
class MomentsController {
  @Get(":day")
  @ApiParam({ name: "day", type: String, format: "date" })
  @ApiQuery({ name: "at", type: String, format: "date-time" })
  @ApiQuery({ name: "amount", type: String, format: "decimal" })
  @ApiQuery({ name: "ids", type: String, format: "uuid", isArray: true })
  @ApiOkResponse({ type: MomentDto })
  @ApiBadRequestResponse({ type: ValidationErrorDto })
  moment(
    @Param("day") day: string,
    @Query("at") at: string,
    @Query("amount") amount: string,
    @Query("ids", new ParseArrayPipe({ items: String })) ids: string[],
  ): MomentDto {
    const cents = Math.round(Number(amount) * 100) * 2;
    return { at: new Date(at).toISOString(), day, amount: (cents / 100).toFixed(2), ids };
  }
}

@Module({
  controllers: [
    ItemsController,
    PetsController,
    TreesController,
    FilesController,
    SignupController,
    AuthController,
    MomentsController,
  ],
  providers: [BearerGuard, BasicGuard, ApiKeyGuard],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
  const config = new DocumentBuilder()
    .setTitle("Inventory (NestJS)")
    .setVersion("1.0.0")
    .addBearerAuth()
    .addBasicAuth()
    .addApiKey({ type: "apiKey", name: "X-API-Key", in: "header" }, "apiKey")
    .build();
  SwaggerModule.setup("docs", app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: "openapi.json",
    ui: false,
  });
  await app.listen(Number(process.argv[2]), "127.0.0.1");
}

void main();
